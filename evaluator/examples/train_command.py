#!/usr/bin/env python3
"""An external training command for star (search space: evaluator { kind: COMMAND
command: "python3 evaluator/examples/train_command.py" }).

Reads one EvaluateRequest as JSON on stdin and prints one EvaluationResult as JSON on
stdout (proto/evaluator.proto, field names as in the .proto); logs go to stderr. This
example does not train: its "quality" is the share of attention layers. Replace train()
with real training (build the model from request["spec"], train it with
request["settings"]["budget"], seed everything from request["seed"]).
"""
import json
import sys
import time


def train(spec, settings, seed):
    layers = spec.get("layers", [])
    if not layers:
        raise ValueError("the spec has no layers")
    attention = sum(1 for layer in layers if "attention" in layer)
    return attention / len(layers)


def main():
    request = json.load(sys.stdin)
    start = time.time()
    print(f"training {request.get('request_id', '?')}", file=sys.stderr)
    try:
        quality = train(request["spec"], request.get("settings", {}), int(request.get("seed", 0)))
        result = {"outcome": "OK", "quality": quality}
    except FloatingPointError as e:  # e.g. the loss became NaN
        result = {"outcome": "DIVERGED", "failure": str(e)}
    except ValueError as e:
        result = {"outcome": "FAILED", "failure": str(e)}
    result.update(seconds=time.time() - start, seed=request.get("seed", "0"),
                  settings=request.get("settings", {}), evaluator="example train_command.py")
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
