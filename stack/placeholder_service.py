"""A stand-in for the application: answers the load balancer's health check, and nothing else.

Installed by the instances' user data on stock Amazon Linux 2023 (stack/hosts.py), run by systemd as
`python3 placeholder_service.py PORT HEALTH_PATH`: a GET or HEAD of the health path is 200, any other
path 404, any other method 501. Standard library only, and Python 3.9 (the image's python3).
Each request is logged on stderr, which systemd appends to the application log the agent ships.
"""

import sys
from http.server import BaseHTTPRequestHandler, HTTPServer


def handler(health_path):
    """A request handler answering only `health_path`."""

    class Health(BaseHTTPRequestHandler):
        server_version = "placeholder"
        sys_version = ""

        def do_GET(self):
            self.send_response(200 if self.path == health_path else 404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_HEAD = do_GET

    return Health


def main(argv):
    port, health_path = int(argv[1]), argv[2]
    HTTPServer(("", port), handler(health_path)).serve_forever()


if __name__ == "__main__":
    main(sys.argv)
