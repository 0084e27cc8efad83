"""Peer server for scripts/loadbench: segno behind uvicorn (a minimal ASGI app), one
process. GET /?text=... answers a PNG of `text` about 300 px wide (segno scales by whole
pixels per module, so the scale is the largest that keeps the image at most 300 px, at
least 1).

    python python-peer.py

listens on 127.0.0.1 on a free port and prints "listening on http://127.0.0.1:PORT
(SERVER)". Without uvicorn it falls back to the standard library's ThreadingHTTPServer.
"""

import io
import socket
import sys
from urllib.parse import parse_qs

import segno

WIDTH = 300
BORDER = 4


def render(text: str) -> bytes:
    # Error correction M, as qrgate's and the npm package's default (segno would otherwise
    # raise it as far as the version allows).
    qr = segno.make(text, error="m", boost_error=False, micro=False)
    modules = qr.symbol_size(scale=1, border=BORDER)[0]
    buf = io.BytesIO()
    qr.save(buf, kind="png", scale=max(1, WIDTH // modules), border=BORDER)
    return buf.getvalue()


def text_of(query: str):
    values = parse_qs(query).get("text")
    return values[-1] if values else None


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    text = text_of(scope.get("query_string", b"").decode("latin-1"))
    if scope["method"] != "GET" or scope["path"] != "/" or not text:
        status, body, kind = 400, b"GET /?text=...\n", b"text/plain"
    else:
        status, body, kind = 200, render(text), b"image/png"
    await send({
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode())],
    })
    await send({"type": "http.response.body", "body": body})


def free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def main() -> None:
    sock = free_socket()
    port = sock.getsockname()[1]
    try:
        import uvicorn
    except ImportError:
        uvicorn = None
    if uvicorn is not None:
        sock.listen(2048)
        print(f"listening on http://127.0.0.1:{port} (uvicorn {uvicorn.__version__})", flush=True)
        config = uvicorn.Config(app, log_level="warning", access_log=False, backlog=2048,
                                timeout_keep_alive=15)
        uvicorn.Server(config).run(sockets=[sock])
        return
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            path, _, query = self.path.partition("?")
            text = text_of(query)
            if path != "/" or not text:
                status, body, kind = 400, b"GET /?text=...\n", "text/plain"
            else:
                status, body, kind = 200, render(text), "image/png"
            self.send_response(status)
            self.send_header("content-type", kind)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    sock.close()
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    print(f"listening on http://127.0.0.1:{port} (http.server)", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
