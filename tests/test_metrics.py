"""Metrics against counts worked out by hand (the arithmetic is in the comments)."""

import numpy as np
import pytest

import minidl
from minidl.metrics import accuracy, confusion_matrix, f1_score, precision, recall

# Three classes; class 2 is never predicted.
#   i:      0  1  2  3  4  5  6  7
Y_TRUE = [0, 0, 0, 1, 1, 2, 2, 0]
Y_PRED = [0, 0, 1, 1, 1, 0, 1, 0]
# pairs (true, pred): (0,0) x3, (0,1) x1, (1,1) x2, (2,0) x1, (2,1) x1
# class 0: TP = 3, FP = 1 (the (2,0)), FN = 1 (the (0,1))
# class 1: TP = 2, FP = 2 (the (0,1), (2,1)), FN = 0
# class 2: TP = 0, FP = 0 (never predicted), FN = 2


def test_confusion_matrix_rows_true_cols_predicted():
    expected = np.array([[3, 1, 0], [0, 2, 0], [1, 1, 0]])
    cm = confusion_matrix(Y_TRUE, Y_PRED)
    assert cm.dtype == np.int64
    np.testing.assert_array_equal(cm, expected)


def test_confusion_matrix_labels_choose_order_and_extra_classes():
    # labels=[2, 0, 5]: class 1 samples are dropped, class 5 gets an empty row/column
    cm = confusion_matrix(Y_TRUE, Y_PRED, labels=[2, 0, 5])
    np.testing.assert_array_equal(cm, [[0, 1, 0], [0, 3, 0], [0, 0, 0]])


def test_accuracy_counts_matches():
    # correct: i = 0, 1, 3, 4, 7 -> 5 of 8
    assert accuracy(Y_TRUE, Y_PRED) == 5 / 8


def test_per_class_scores_with_a_class_never_predicted():
    # precision_c = TP/(TP+FP): 3/4, 2/4, and 0/0 -> zero_division = 0 for class 2
    np.testing.assert_allclose(precision(Y_TRUE, Y_PRED, average=None), [3 / 4, 2 / 4, 0.0])
    # recall_c = TP/(TP+FN): 3/4, 2/2, 0/2
    np.testing.assert_allclose(recall(Y_TRUE, Y_PRED, average=None), [3 / 4, 1.0, 0.0])
    # F1_c = 2TP/(2TP+FP+FN): 6/8, 4/6, 0/2
    np.testing.assert_allclose(f1_score(Y_TRUE, Y_PRED, average=None), [6 / 8, 4 / 6, 0.0])


def test_never_predicted_class_gives_no_nan_and_no_warning(recwarn):
    p = precision(Y_TRUE, Y_PRED, average=None)
    assert not np.isnan(p).any()
    assert len(recwarn) == 0


def test_zero_division_value_is_used_only_where_denominator_is_zero():
    p = precision(Y_TRUE, Y_PRED, average=None, zero_division=1.0)
    np.testing.assert_allclose(p, [3 / 4, 2 / 4, 1.0])


def test_macro_average_is_mean_of_per_class_scores():
    # (3/4 + 2/4 + 0) / 3 = 5/12
    assert precision(Y_TRUE, Y_PRED, average="macro") == pytest.approx(5 / 12)
    # (3/4 + 1 + 0) / 3 = 7/12
    assert recall(Y_TRUE, Y_PRED, average="macro") == pytest.approx(7 / 12)
    # (6/8 + 4/6 + 0) / 3 = (18/24 + 16/24) / 3 = 34/72
    assert f1_score(Y_TRUE, Y_PRED, average="macro") == pytest.approx(34 / 72)


def test_micro_average_pools_counts():
    # ΣTP = 5, ΣFP = 1 + 2 + 0 = 3, ΣFN = 1 + 0 + 2 = 3
    # precision = 5/8, recall = 5/8, F1 = 10/(10+3+3) = 5/8 (= accuracy for single-label data)
    assert precision(Y_TRUE, Y_PRED, average="micro") == pytest.approx(5 / 8)
    assert recall(Y_TRUE, Y_PRED, average="micro") == pytest.approx(5 / 8)
    assert f1_score(Y_TRUE, Y_PRED, average="micro") == pytest.approx(5 / 8)


def test_micro_differs_from_accuracy_when_labels_restrict_classes():
    # only classes 0 and 1: TP = 3 + 2 = 5, FP = 1 + 2 = 3 (true-2 samples predicted 0/1 count
    # as false positives), FN = 1 + 0 = 1 -> precision 5/8, recall 5/6
    assert precision(Y_TRUE, Y_PRED, average="micro", labels=[0, 1]) == pytest.approx(5 / 8)
    assert recall(Y_TRUE, Y_PRED, average="micro", labels=[0, 1]) == pytest.approx(5 / 6)


def test_binary_scores_of_the_positive_class():
    y_true = [1, 1, 1, 0, 0, 0, 1, 0, 1, 0]
    y_pred = [1, 0, 1, 1, 0, 0, 1, 0, 0, 0]
    # pos = 1: TP = 3 (i=0,2,6), FP = 1 (i=3), FN = 2 (i=1,8)
    assert precision(y_true, y_pred) == pytest.approx(3 / 4)
    assert recall(y_true, y_pred) == pytest.approx(3 / 5)
    # F1 = 2·3 / (2·3 + 1 + 2) = 6/9; also 2PR/(P+R) = 2·(9/20)/(27/20) = 18/27
    assert f1_score(y_true, y_pred) == pytest.approx(6 / 9)
    # pos = 0: TP = 4 (i=4,5,7,9), FP = 2, FN = 1
    assert precision(y_true, y_pred, pos_label=0) == pytest.approx(4 / 6)
    assert recall(y_true, y_pred, pos_label=0) == pytest.approx(4 / 5)


def test_binary_with_positive_class_never_predicted_is_zero():
    # TP = 0, FP = 0 -> precision 0/0 -> 0; recall 0/2 = 0; F1 = 0/(0+0+2) = 0
    assert precision([1, 0, 1], [0, 0, 0]) == 0.0
    assert recall([1, 0, 1], [0, 0, 0]) == 0.0
    assert f1_score([1, 0, 1], [0, 0, 0]) == 0.0


def test_string_labels_and_tensor_inputs():
    t = ["pos", "neg", "pos", "neg"]
    p = ["pos", "pos", "pos", "neg"]
    # pos: TP = 2, FP = 1
    assert precision(t, p, pos_label="pos") == pytest.approx(2 / 3)
    yt = minidl.tensor(np.array([0, 1, 2, 2]))
    yp = minidl.tensor(np.array([0, 2, 2, 2]))
    assert accuracy(yt, yp) == 3 / 4
    np.testing.assert_array_equal(confusion_matrix(yt, yp), [[1, 0, 0], [0, 0, 1], [0, 0, 2]])


def test_results_are_python_floats():
    assert type(accuracy([1, 0], [1, 1])) is float
    assert type(f1_score([1, 0], [1, 1])) is float


@pytest.mark.parametrize("fn", [accuracy, precision, recall, f1_score, confusion_matrix])
def test_length_mismatch_and_empty_input_are_errors(fn):
    with pytest.raises(ValueError, match=r"differ in length \(3 vs 2\)"):
        fn([0, 1, 1], [0, 1])
    with pytest.raises(ValueError, match="empty"):
        fn([], [])
    with pytest.raises(ValueError, match="1-D.*argmax"):
        fn([[0, 1]], [[0, 1]])


@pytest.mark.parametrize("fn", [accuracy, precision, recall, f1_score, confusion_matrix])
def test_scores_instead_of_labels_are_an_error(fn):
    with pytest.raises(ValueError, match="y_pred holds non-integer values such as 0.7"):
        fn([0, 1, 1], [0.0, 0.7, 1.0])
    # integral floats are labels
    assert np.all(np.asarray(fn([0, 1, 1], [0.0, 1.0, 1.0])) >= 0)


def test_bad_average_and_binary_with_three_classes_are_errors():
    with pytest.raises(ValueError, match="average must be"):
        precision([0, 1], [0, 1], average="weighted")
    with pytest.raises(ValueError, match="at most 2 classes"):
        recall(Y_TRUE, Y_PRED)
    with pytest.raises(ValueError, match="pos_label=1 is not one of"):
        f1_score(["a", "b"], ["a", "a"])


@pytest.mark.parametrize("value", [float("nan"), 2.0, -1.0])
def test_zero_division_must_be_a_score_not_nan(value):
    # NaN would make every average NaN, which the module promises never to return
    with pytest.raises(ValueError, match="zero_division must be a score in"):
        precision([0, 0, 1], [1, 1, 0], average="macro", zero_division=value)


def test_string_labels_in_an_object_array_are_text():
    # a pandas column of labels is an object array of str: still strings, not numbers
    y_true = np.array(["cat", "dog", "cat"], dtype=object)
    assert accuracy(y_true, ["cat", "cat", "cat"]) == pytest.approx(2 / 3)
    assert precision(y_true, np.array(["cat", "dog", "dog"], dtype=object), pos_label="dog") == 0.5
    with pytest.raises(TypeError, match="holds strings but"):
        accuracy(y_true, [0, 1, 0])
