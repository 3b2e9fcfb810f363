"""Tokenizer, vocabulary and padding: round trips, <unk>, both paddings and layouts."""

import numpy as np
import pytest

import minidl
from minidl.text import PAD, UNK, Vocab, lengths, pad_sequences, tokenize


def test_tokenize_lowercases_and_splits_punctuation():
    assert tokenize("Good, BUT boring!") == ["good", ",", "but", "boring", "!"]
    assert tokenize("  a\tb\n") == ["a", "b"]
    assert tokenize("") == []


def test_tokenize_keeps_inner_apostrophes_and_splits_edge_ones():
    assert tokenize("I don't care") == ["i", "don't", "care"]
    assert tokenize("don\u2019t") == ["don't"]
    assert tokenize("'quoted'") == ["'", "quoted", "'"]
    assert tokenize("Café...") == ["café", ".", ".", "."]


def test_tokenize_rejects_non_str():
    with pytest.raises(TypeError, match="tokenize: expected a str"):
        tokenize(["a"])


def test_vocab_specials_and_order_frequency_then_alphabetical():
    v = Vocab.build(["b a c b", "c b d", ["a", "e"]])
    # counts: b 3, a 2, c 2, d 1, e 1 -> b, then a < c, then d < e
    assert v.itos == [PAD, UNK, "b", "a", "c", "d", "e"]
    assert v.stoi[PAD] == 0 and v.stoi[UNK] == 1
    assert len(v) == 7
    assert "c" in v and "zzz" not in v
    assert v["c"] == 4 and v["zzz"] == 1


def test_vocab_min_freq_and_max_size():
    corpus = ["b a c b", "c b d"]
    assert Vocab.build(corpus, min_freq=2).itos == [PAD, UNK, "b", "c"]
    # max_size counts the two specials: 4 -> two words
    assert Vocab.build(corpus, max_size=4).itos == [PAD, UNK, "b", "c"]
    assert Vocab.build(corpus, max_size=2).itos == [PAD, UNK]


def test_encode_decode_round_trip():
    texts = ["the film was not good", "good but boring, honestly"]
    v = Vocab.build(texts)
    for t in texts:
        ids = v.encode(t)
        assert all(isinstance(i, int) for i in ids)
        assert v.decode(ids) == tokenize(t)
        assert v.encode(v.decode(ids)) == ids


def test_unknown_words_map_to_unk():
    v = Vocab.build(["good film"])
    assert v.encode("good awful film") == [v["good"], 1, v["film"]]
    assert v.decode(v.encode("awful")) == [UNK]


def test_decode_accepts_arrays_and_tensors_and_can_skip_pad():
    v = Vocab.build(["x y"])
    ids = np.array([2, 3, 0, 0])
    assert v.decode(ids) == ["x", "y", PAD, PAD]
    assert v.decode(minidl.tensor(ids), skip_pad=True) == ["x", "y"]
    with pytest.raises(IndexError, match="index 9 out of range for a vocabulary of 4"):
        v.decode([2, 9])


def test_vocab_errors():
    with pytest.raises(ValueError, match="must start with"):
        Vocab(["a", "b"])
    with pytest.raises(ValueError, match="min_freq"):
        Vocab.build(["a"], min_freq=0)
    with pytest.raises(ValueError, match="max_size"):
        Vocab.build(["a"], max_size=1)
    with pytest.raises(TypeError, match="single str"):
        Vocab.build("a b c")


SEQS = [[5, 6, 7], [8], [9, 10]]


def test_pad_post_seq_first_is_default():
    x = pad_sequences(SEQS)
    assert x.dtype == np.int64 and x.shape == (3, 3)  # (T, B)
    np.testing.assert_array_equal(x, [[5, 8, 9], [6, 0, 10], [7, 0, 0]])


def test_pad_pre_seq_first():
    x = pad_sequences(SEQS, padding="pre")
    np.testing.assert_array_equal(x, [[5, 0, 0], [6, 0, 9], [7, 8, 10]])


def test_pad_batch_first_both_sides():
    np.testing.assert_array_equal(
        pad_sequences(SEQS, batch_first=True), [[5, 6, 7], [8, 0, 0], [9, 10, 0]]
    )
    np.testing.assert_array_equal(
        pad_sequences(SEQS, batch_first=True, padding="pre", value=-1),
        [[5, 6, 7], [-1, -1, 8], [-1, 9, 10]],
    )


def test_pad_truncating_and_max_len():
    x = pad_sequences(SEQS, batch_first=True, max_len=2)
    np.testing.assert_array_equal(x, [[5, 6], [8, 0], [9, 10]])
    x = pad_sequences(SEQS, batch_first=True, max_len=2, truncating="pre", padding="pre")
    np.testing.assert_array_equal(x, [[6, 7], [0, 8], [9, 10]])
    np.testing.assert_array_equal(lengths(SEQS), [3, 1, 2])
    np.testing.assert_array_equal(lengths(SEQS, max_len=2), [2, 1, 2])


def test_pad_of_encoded_texts_decodes_back():
    texts = ["not good", "good but boring"]
    v = Vocab.build(texts)
    x = pad_sequences([v.encode(t) for t in texts])  # (T, B)
    for b, t in enumerate(texts):
        assert v.decode(x[:, b], skip_pad=True) == tokenize(t)


def test_pad_errors():
    with pytest.raises(ValueError, match="padding must be 'post' or 'pre'"):
        pad_sequences(SEQS, padding="left")
    with pytest.raises(TypeError, match="sequence 1 must hold integer indices"):
        pad_sequences([[1], [0.5]])
    with pytest.raises(ValueError, match="got no sequences"):
        pad_sequences([])
    with pytest.raises(ValueError, match="max_len"):
        pad_sequences(SEQS, max_len=-1)
