"""What a terminal gives a command it starts: SIGINT and SIGQUIT at their defaults. A non-interactive shell
starts a background job (`cmd &`) with both ignored, and a scan keeps an ignored SIGINT ignored, as `nohup`
means it to; so a test that interrupts a scan starts it as a terminal would, whatever started the test run."""
from __future__ import annotations

import signal


def as_from_a_terminal() -> None:
    """For subprocess.Popen's preexec_fn: runs in the child before the scan starts."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGQUIT, signal.SIG_DFL)
