"""minidl.models: the bag-of-words baseline's counts."""

import numpy as np
import pytest

from minidl.models import bag_of_words


def test_bag_of_words_counts_each_word_per_sequence():
    ids = np.array([[1, 2], [1, 0], [3, 2]])  # (T=3, B=2); 0 is padding
    np.testing.assert_array_equal(
        bag_of_words(ids, 4), [[0.0, 2.0, 0.0, 1.0], [0.0, 0.0, 2.0, 0.0]]
    )


@pytest.mark.parametrize("bad", [-1, 5])
def test_bag_of_words_refuses_ids_outside_the_vocabulary(bad):
    with pytest.raises(IndexError, match=f"bag_of_words: index {bad} out of range"):
        bag_of_words(np.array([[bad]]), 5)
