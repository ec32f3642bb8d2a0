"""A trellis command job in plain Python: no client library, only the TRELLIS_* variables.

    trellis run -- python3 examples/train.py
    trellis run optimizer=adam -m trainer.epochs=5,10 --jobs 2 -- python3 examples/train.py

It fits y = 2x + 1 by stochastic gradient descent with the learning rate and epochs of the
composed config (conf/), logs a loss per epoch, and saves the fitted weights as an artifact.
"""

import json
import os
import random
import sys

if sys.argv[1:]:
    print("arguments:", " ".join(sys.argv[1:]))

# The resolved config, as JSON (TRELLIS_CONFIG_YAML holds the same as YAML).
with open(os.environ["TRELLIS_CONFIG"]) as f:
    cfg = json.load(f)

# One master seed per run, recorded in the run; derived seeds asked for with --seeds arrive in
# TRELLIS_SEEDS. Seed every generator the job uses from them.
seed = int(os.environ["TRELLIS_SEED"])
derived = json.loads(os.environ.get("TRELLIS_SEEDS", "{}"))
random.seed(seed)
try:
    import numpy

    numpy.random.seed(derived.get("numpy", seed) % 2**32)
except ImportError:
    pass
try:
    import torch

    torch.manual_seed(derived.get("torch", seed))
except ImportError:
    pass

data = [(x / 10, 2 * (x / 10) + 1 + random.gauss(0, 0.01)) for x in range(20)]
w, b = 0.0, 0.0
lr = cfg["optimizer"]["lr"]
metrics = open(os.environ["TRELLIS_METRICS"], "a")
for epoch in range(cfg["trainer"]["epochs"]):
    # trellis writes {"action": "stop"} here before it signals the job: a chance to stop cleanly.
    if os.path.exists(os.environ["TRELLIS_CONTROL"]):
        break
    random.shuffle(data)
    for x, y in data:
        error = w * x + b - y
        w -= lr * error * x
        b -= lr * error
    loss = sum((w * x + b - y) ** 2 for x, y in data) / len(data)
    # Metrics on stdout: one line with the @trellis prefix, left out of the log...
    print("@trellis " + json.dumps({"step": epoch, "loss": loss}))
    # ...or appended to the metrics file, one JSON object per line.
    metrics.write(json.dumps({"step": epoch, "w": w, "b": b}) + "\n")
    metrics.flush()
    print(f"epoch {epoch}: loss {loss:.6f}")
metrics.close()

with open(os.path.join(os.environ["TRELLIS_ARTIFACTS"], "model.json"), "w") as f:
    json.dump({"w": w, "b": b}, f)
