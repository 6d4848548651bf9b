"""Every budget the parsers and the tokenizer work within, stated in one place.

A request body is at most MAX_BODY_BYTES (function.settings). Each stage below reads at most its
budget of what the stage before it gave it, so that no input under the body limit costs more
than a bounded amount of CPU and memory, whatever its shape. Each number is far above what real
mail uses, so normal mail parses exactly as it would without the budget.
"""

# A raw message (message/rfc822, an uploaded .eml, a pasted e-mail).
MAX_LINES = 100_000  # lines parsed; a 1 MiB e-mail of real text or base64 has about 15,000
MAX_DEPTH = 16  # nested MIME levels split into parts; each level costs a check on every line below it
MAX_PARTS = 200  # MIME parts read; the rest of a MIME bomb is skipped
MAX_HEADER_CHARS = 8192  # of one header value; decode_header is quadratic in encoded words
MAX_HEADER_PARAMS = 16  # ";" parameters of a Content-* header; the email package's parsing is quadratic

# Text: what one message or one text field gives the model, and the HTML it is read from.
MAX_CHARS = 200_000  # characters of text, and of HTML markup read to find that text

# Tokenization: a long text is cut to its head and its tail before it is tokenized, in the
# proportion the model keeps of its tokens. A kept token spans 4-5 characters of real text (at
# most 5.1 a token in any of 24,679 corpus messages, for the fast model's BPE); the window
# allows 8, and at least MIN_WINDOW_CHARS in all for a short-context model (MiniLM, 256 tokens),
# whose WordPiece folds a long run of filler characters into one unknown token. With these, the
# kept tokens are the same as without the cut for every message of those corpora, and a text of
# emoji (up to 4 tokens a character) is tokenized into at most 65,536 tokens, not 800,000.
CHARS_PER_TOKEN = 8
MIN_WINDOW_CHARS = 16_384
ENCODE_CHARS = 1 << 15  # characters tokenized in one call: a batch is tokenized in groups this size
