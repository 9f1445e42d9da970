#!/usr/bin/env python3
"""python-vision: the image-tagging service, a legacy python3 http.server on port 8000.

It knows nothing of PortManager; it joins the fleet through the launch hook, which allocates a port and puts it
in place of {port} on the command line:

    portmanager run --service python-vision --type ml --preferred 8000 -- python3 python_vision.py {port}
"""
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8000  # the old hardcoded default


class Hello(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        # The port the socket really listens on, not the one we were told.
        port = self.server.server_address[1]
        body = f"python-vision (python3 http.server) listening on port {port}, pid {os.getpid()}\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        pass  # quiet, like the rest of the fleet


if __name__ == "__main__":
    server = ThreadingHTTPServer(("", PORT), Hello)
    print(f"python-vision listening on {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
