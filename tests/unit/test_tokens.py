from tokenizers import Tokenizer, models, pre_tokenizers

from function.tokens import Encoding


def word_tokenizer() -> Tokenizer:
    vocab = {"[PAD]": 0, **{f"w{i}": i + 1 for i in range(100)}}
    tokenizer = Tokenizer(models.WordLevel(vocab, unk_token="[PAD]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    return tokenizer


def test_head_and_tail_are_kept():
    encoding = Encoding(max_tokens=5, head_tokens=3, pad_id=0)
    assert encoding.truncate(list(range(10))) == [0, 1, 2, 8, 9]
    assert encoding.truncate([1, 2]) == [1, 2]
    assert Encoding(4, 4, 0).truncate(list(range(10))) == [0, 1, 2, 3]


def test_batches_are_padded_to_the_longest_text():
    encoding = Encoding(max_tokens=50, head_tokens=40, pad_id=0)
    ids, mask = encoding.encode(word_tokenizer(), ["w1 w2 w3", "w4"])
    assert ids.tolist() == [[2, 3, 4], [5, 0, 0]]
    assert mask.tolist() == [[1, 1, 1], [1, 0, 0]]


def test_empty_text_gives_one_padded_position():
    ids, mask = Encoding(8, 4, 0).encode(word_tokenizer(), [""])
    assert ids.shape == (1, 1) and mask.tolist() == [[0]]
