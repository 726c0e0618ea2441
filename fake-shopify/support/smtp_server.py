"""A real SMTP server on 127.0.0.1 for the emailed-receipt tests (aiosmtpd).

Usage: smtp_server.py OUT_DIR USER PASSWORD [KILL_PID_FILE]

Takes AUTH PLAIN/LOGIN over plain TCP (no TLS: loopback only), refuses any
other login with 535, stores every accepted message as OUT_DIR/NNN.eml and
prints "port N" once it listens. With KILL_PID_FILE, the first message
received makes it SIGKILL the process whose pid is in that file before it
answers: a sender that dies after sending and before it hears back.
"""
import asyncio
import os
import signal
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

out_dir, user, password = sys.argv[1], sys.argv[2], sys.argv[3]
kill_pid_file = sys.argv[4] if len(sys.argv) > 4 else None


class Store:
    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        path = os.path.join(out_dir, "%03d.eml" % self.count)
        with open(path + ".part", "wb") as f:
            f.write(b"X-Rcpt-To: " + ",".join(envelope.rcpt_tos).encode() + b"\r\n")
            f.write(envelope.original_content or envelope.content)
        os.rename(path + ".part", path)
        if kill_pid_file and self.count == 1:
            with open(kill_pid_file) as f:
                os.kill(int(f.read().strip()), signal.SIGKILL)
        return "250 Message accepted for delivery"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == user.encode() and auth_data.password == password.encode()
    return AuthResult(success=ok, handled=False)


def free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


controller = Controller(
    Store(),
    hostname="127.0.0.1",
    port=free_port(),
    authenticator=authenticator,
    auth_required=True,
    auth_require_tls=False,
)
controller.start()
print("port %d" % controller.port, flush=True)
try:
    signal.sigwait([signal.SIGTERM, signal.SIGINT])
finally:
    controller.stop()
