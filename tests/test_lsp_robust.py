"""The language server survives a hostile client: a raw stdio JSON-RPC client sends malformed
messages, unknown methods, changes to unknown documents, out-of-range positions, a burst of
100 changes and a 3,000-line document, and the server keeps answering."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path


class RawClient:
    def __init__(self, cwd: Path):
        env = {**os.environ, "LOSSLINT_LSP_DEBOUNCE_MS": "50"}
        self.proc = subprocess.Popen([sys.executable, "-m", "losslint", "lsp"], cwd=cwd, env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.messages: list[dict] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        out = self.proc.stdout
        while True:
            header = b""
            while not header.endswith(b"\r\n\r\n"):
                ch = out.read(1)
                if not ch:
                    return
                header += ch
            length = int([h for h in header.decode().split("\r\n") if h.lower().startswith("content-length")][0].split(":")[1])
            body = json.loads(out.read(length))
            with self.lock:
                self.messages.append(body)

    def raw(self, body: bytes) -> None:
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def send(self, msg: dict) -> None:
        self.raw(json.dumps({"jsonrpc": "2.0", **msg}).encode())

    def wait(self, pred, timeout: float = 60.0) -> dict:
        end = time.time() + timeout
        while time.time() < end:
            with self.lock:
                for m in self.messages:
                    if pred(m):
                        return m
            time.sleep(0.05)
        raise AssertionError(f"no matching message; got {[m.get('method', m.get('id')) for m in self.messages]}")


LOSS = ("from keras import backend as K\n\n\n"
        "def mean_squared_error(y_true, y_pred):\n"
        "    return K.mean(K.square(y_pred - y_true), axis=-1)\n")


def test_server_survives_hostile_client(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.losslint]\nlayout = "N C H W"\n')
    doc = tmp_path / "loss.py"
    doc.write_text(LOSS)
    uri = doc.as_uri()
    c = RawClient(tmp_path)
    try:
        c.send({"id": 1, "method": "initialize", "params": {"processId": None, "rootUri": tmp_path.as_uri(), "capabilities": {}}})
        c.wait(lambda m: m.get("id") == 1 and "result" in m)
        c.send({"method": "initialized", "params": {}})

        c.raw(b"{this is not json")                                      # malformed JSON
        c.raw(b'{"jsonrpc": "2.0", "id": 2}')                             # no method
        c.send({"id": 3, "method": "losslint/doesNotExist", "params": {}})  # unknown method
        err = c.wait(lambda m: m.get("id") == 3)
        assert "error" in err
        c.send({"method": "textDocument/didChange", "params": {            # never opened
            "textDocument": {"uri": tmp_path.joinpath("ghost.py").as_uri(), "version": 2},
            "contentChanges": [{"text": "x = 1\n"}]}})
        c.send({"id": 4, "method": "textDocument/hover", "params": {        # never opened, far away
            "textDocument": {"uri": uri}, "position": {"line": 999, "character": 999}}})
        c.wait(lambda m: m.get("id") == 4)

        c.send({"method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri, "languageId": "python", "version": 1, "text": LOSS}}})
        first = c.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                       and m["params"]["uri"] == uri and m["params"]["diagnostics"])
        assert first["params"]["diagnostics"][0]["code"] == "LL102"
        c.send({"id": 5, "method": "textDocument/codeAction", "params": {   # out-of-range range
            "textDocument": {"uri": uri},
            "range": {"start": {"line": 500, "character": 0}, "end": {"line": 900, "character": 3}},
            "context": {"diagnostics": []}}})
        c.wait(lambda m: m.get("id") == 5)

        for version in range(2, 102):                                     # a burst of 100 changes
            text = LOSS if version < 101 else LOSS.replace("axis=-1", "axis=1")
            c.send({"method": "textDocument/didChange", "params": {
                "textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}})
        c.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
               and m["params"]["uri"] == uri and m["params"].get("version") == 101
               and m["params"]["diagnostics"] == [])

        big = tmp_path / "big.py"                                          # a 3,000-line document
        text = "".join(LOSS.replace("mean_squared_error", f"mse_{i}") + "\n\n" for i in range(430))
        assert text.count("\n") >= 3000
        c.send({"method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": big.as_uri(), "languageId": "python", "version": 1, "text": text}}})
        found = c.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                       and m["params"]["uri"] == big.as_uri(), timeout=240)
        assert len(found["params"]["diagnostics"]) == 430

        c.send({"id": 6, "method": "shutdown"})                           # still answering
        assert "result" in c.wait(lambda m: m.get("id") == 6)
        c.send({"method": "exit"})
        c.proc.wait(timeout=30)
        err = c.proc.stderr.read()
        assert b"Traceback" not in err, err.decode()
    finally:
        if c.proc.poll() is None:
            c.proc.kill()
