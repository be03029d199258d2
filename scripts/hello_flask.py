"""The benchmark's yardstick: a bare Flask app that says hello, served by gunicorn like bodymap.

Its body names it, so the benchmark can check which app a server really runs.
"""

from flask import Flask

BODY = "hello from a bare Flask app\n"

app = Flask(__name__)


@app.get("/")
def hello():
    return BODY
