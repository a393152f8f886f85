# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test double for Slack and PagerDuty: records every Alertmanager webhook call as one JSON line.

Usage: webhook_sink.py ADDRESS PORT LOGFILE. Each line is {"path": "/critical", "body": {...}}.
"""
from __future__ import annotations

import json
import sys
import time
from http.server import BaseHTTPRequestHandler, HTTPServer


class Sink(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(sys.argv[3], "a", encoding="utf-8") as log:
            log.write(json.dumps({"path": self.path, "body": json.loads(body or b"{}")}) + "\n")
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def serve():
    # The address may be the stack network's gateway, which exists only once Docker has set up the network: at a boot
    # this can start first.
    for _attempt in range(120):
        try:
            server = HTTPServer((sys.argv[1], int(sys.argv[2])), Sink)
        except OSError as err:
            print("webhook sink: cannot listen yet (%s), retrying" % err, file=sys.stderr, flush=True)
            time.sleep(1)
        else:
            server.serve_forever()
    sys.exit("webhook sink: could not listen on %s:%s" % (sys.argv[1], sys.argv[2]))


serve()
