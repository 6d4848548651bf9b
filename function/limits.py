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

# HTTP: what the web layer reads of a request before any parser runs.
MAX_TARGET_BYTES = 8192  # of a request's path and query, and of its request line (function/web/server.py)
SHOWN_PATH_CHARS = 200  # of a path, in an error message or a log line
MAX_CONTENT_TYPE = 1024  # characters of a Content-Type header: far past any real one
MAX_CHARSET_CHARS = 40  # of a declared charset's name
MAX_FIELDS = 64  # form fields and multipart parts: the contract reads one

# The Open Inference Protocol (V2).
MAX_DIMS = 8  # shape dimensions: a text tensor needs one or two
MAX_LENGTH_DIGITS = 12  # of Inference-Header-Content-Length

# Per request: a batch of pasted e-mails shares one budget of lines, as one message has.
REQUEST_LINES = MAX_LINES

# The model: how much it runs at once, and what may run on the event loop.
RUN_TOKENS = 2048  # tokens (rows x padded width) per graph run: MiniLM's 8 x 256
LONG_CHARS = 1 << 11  # a request with more text is tokenized on the one tokenizing thread
TRIM_CHARS = 1 << 17  # a request with more text gives freed memory back to the system afterwards
LOOP_SECONDS = 0.002  # a request the model is expected to answer faster than this runs on the event loop

# Reasons.
OCCLUSION_UNITS = 16  # extra graph runs per text for a model without exact contributions
MAX_PHRASE_WORDS = 40  # a longer phrase is not searched for
