"""Plain gradient descent on a Downhill level, played from Python (code mode).

    DOWNHILL_URL=http://192.168.1.20:8000 DOWNHILL_TOKEN=dh_... python examples/descend.py 1

1 is the level's number for the API (the instructor's sheet of tokens lists them).
Optional: DOWNHILL_PASSWORD (the level's password), DOWNHILL_ETA (the learning rate, 0.5),
DOWNHILL_BETA (the momentum on a momentum level, 0.9) and DOWNHILL_GUESSES (how many
guesses to make, 20). On a free-guess level it takes the step x ← x − η·f'(x) itself (on a
two-parameter level (x, y) ← (x, y) − η·∇f, from the middle of the rectangle); on a
learning-rate or momentum level it sends η (and β) and the server steps. It waits out the
cooldown as the server says and stops, saying why, at any refusal (the budget is spent,
the level closed...). A level not open yet is waited for on the lesson's live stream
(/api/live/stream): the program starts the moment the instructor opens it.
"""

import json
import os
import sys
import time
import uuid

import httpx

url, token, level = os.environ["DOWNHILL_URL"], os.environ["DOWNHILL_TOKEN"], sys.argv[1]
eta, beta = (
    float(os.environ.get("DOWNHILL_ETA", "0.5")),
    float(os.environ.get("DOWNHILL_BETA", "0.9")),
)
api = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"})


def wait_until_open(level_id: int) -> None:
    """Wait on the lesson's live stream (Server-Sent Events) until the level is open."""
    while True:  # a stream ends after a minute: open the next one
        with api.stream("GET", "/api/live/stream", timeout=None) as events:
            for line in events.iter_lines():
                if not line.startswith("data:"):
                    continue
                levels = json.loads(line[5:])["levels"]
                if any(lv["id"] == level_id and lv["state"] == "open" for lv in levels):
                    return


def enter():
    password = os.environ.get("DOWNHILL_PASSWORD")
    return api.post(f"/api/levels/{level}/enter", json={"password": password})


entered = enter()
if entered.is_error and entered.json()["error"]["code"] in ("level_closed", "level_not_found"):
    print(f"level {level} is not open: waiting for the instructor to open it (Ctrl-C stops)")
    wait_until_open(int(level))
    entered = enter()
if entered.is_error:
    sys.exit(f"{entered.status_code}: {entered.json()['error']['message']}")
lv = entered.json()["level"]
axes = ("x", "y") if lv["plane"] else ("x",)  # a two-parameter level: a point (x, y)
at, made = {a: (lv[f"{a}_min"] + lv[f"{a}_max"]) / 2 for a in axes}, 0
while made < int(os.environ.get("DOWNHILL_GUESSES", "20")):
    move = dict(at) if lv["mode"] == "free" else {"eta": eta}
    if lv["mode"] == "momentum":
        move["beta"] = beta
    key = uuid.uuid4().hex  # a retry with the same key would be answered once
    answer = api.post(f"/api/levels/{level}/guesses", json={**move, "idempotency_key": key})
    if answer.status_code == 429:  # the cooldown: wait as long as the server says
        time.sleep(answer.json()["error"]["seconds"])
        continue
    if answer.is_error:
        print(f"stopped: {answer.json()['error']['message']}")
        break
    guess, made = answer.json()["guess"], made + 1
    slope = {"x": guess["slope"], "y": guess.get("gy")}  # ∂f/∂x, and ∂f/∂y in 2-D
    where = "  ".join(f"{a} = {guess[a]:<12.6g}" for a in axes)
    print(f"{where}f = {guess['fx']:<12.6g} slope = {', '.join(f'{slope[a]:.6g}' for a in axes)}")
    # x ← x − η·f'(x), each coordinate kept in its range
    at = {a: min(max(guess[a] - eta * slope[a], lv[f"{a}_min"]), lv[f"{a}_max"]) for a in axes}
