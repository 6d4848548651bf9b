"""Beam's GCS I/O against the Cloud Storage emulator (STORAGE_EMULATOR_HOST), for tests and trials.

The google-cloud-storage client Beam uses goes to the emulator by itself once the variable is
set and it is given no credentials. But Beam first looks for Google credentials, retrying four
times with backoff (22 s here; google-auth also probes the GCE metadata server) before it connects
anonymously; with
the emulator there are none to find, so this tells Beam so up front. Without the variable (real
Cloud Storage), nothing changes.
"""

from __future__ import annotations

import os


def use_emulator_if_set() -> None:
    if not os.environ.get("STORAGE_EMULATOR_HOST"):
        return
    from apache_beam.internal.gcp import auth

    with auth._Credentials._credentials_lock:  # Beam's cache of the credentials it found: none
        auth._Credentials._credentials_init = True
        auth._Credentials._credentials = None
