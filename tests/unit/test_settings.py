import pytest

from function.settings import DEFAULT_MODEL_DIR, Settings, SettingsError, available_cpus


def test_defaults():
    s = Settings.from_env({})
    assert s.model_uri == str(DEFAULT_MODEL_DIR)
    assert (s.max_body_bytes, s.max_batch, s.preload, s.threshold) == (1 << 20, 64, False, None)
    assert s.threads == available_cpus() >= 1


def test_values_from_the_environment():
    s = Settings.from_env({"MODEL_URI": "gs://b/p/", "MAX_BATCH": "8", "MODEL_PRELOAD": "true",
                           "ORT_THREADS": "2", "THRESHOLD": "0.3", "MAX_BODY_BYTES": "1000"})
    assert (s.model_uri, s.max_batch, s.preload, s.threads, s.threshold, s.max_body_bytes) == (
        "gs://b/p/", 8, True, 2, 0.3, 1000)


def test_model_dir_is_used_when_no_uri():
    assert Settings.from_env({"MODEL_DIR": "/srv/m"}).model_uri == "/srv/m"


@pytest.mark.parametrize(("env", "message"), [
    ({"MAX_BATCH": "many"}, "MAX_BATCH must be a whole number"),
    ({"MAX_BATCH": "0"}, "MAX_BATCH must be at least 1"),
    ({"MODEL_PRELOAD": "maybe"}, "MODEL_PRELOAD must be true or false"),
    ({"THRESHOLD": "1.5"}, "THRESHOLD must lie between 0 and 1"),
    ({"THRESHOLD": "high"}, "THRESHOLD must be a number"),
])
def test_bad_values_are_named(env, message):
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(env)
