"""aiosmtpd handler for the notifier's tests: spools every accepted message to a directory.

Usage: python -m aiosmtpd -n -l 127.0.0.1:PORT -c smtp_sink.Spool SPOOL_DIR
(with this directory on PYTHONPATH). Each message becomes SPOOL_DIR/NNNNNN.eml, written to
a temporary name first and renamed, so a reader never sees half a message. The envelope is
kept as X-Envelope-From / X-Envelope-To lines in front of the message, and the session's
TLS version (STARTTLS or implicit TLS; "none" for plain text) as an X-Session-TLS line.

Scripted failures, to drive both SMTP error classes through a real server:
- a recipient starting with "tempfail-once" gets 451 the first time, then is accepted;
- a recipient starting with "reject" gets 550.
"""

import itertools
import os
import pathlib


class Spool:
    def __init__(self, directory):
        self.dir = pathlib.Path(directory)
        self.counter = itertools.count()
        self.tempfailed = set()

    @classmethod
    def from_cli(cls, parser, *args):
        # aiosmtpd passes the words after the class path here (and refuses them for a
        # handler without from_cli).
        if len(args) != 1:
            parser.error("smtp_sink.Spool takes one argument: the spool directory")
        return cls(args[0])

    async def handle_DATA(self, server, session, envelope):
        for rcpt in envelope.rcpt_tos:
            if rcpt.startswith("reject"):
                return "550 5.1.1 mailbox unavailable"
            if rcpt.startswith("tempfail-once") and rcpt not in self.tempfailed:
                self.tempfailed.add(rcpt)
                return "451 4.3.0 try again later"
        n = next(self.counter)
        transport = server.transport
        ssl_object = transport.get_extra_info("ssl_object") if transport else None
        tls = ssl_object.version() if ssl_object else "none"
        head = "X-Envelope-From: {}\r\nX-Envelope-To: {}\r\nX-Session-TLS: {}\r\n".format(
            envelope.mail_from, ", ".join(envelope.rcpt_tos), tls
        ).encode()
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode()
        tmp = self.dir / ".{}.tmp".format(n)
        tmp.write_bytes(head + content)
        os.rename(tmp, self.dir / "{:06d}.eml".format(n))
        return "250 2.0.0 queued as {:06d}".format(n)
