"""Plain gradient descent on a Downhill level, played from Python (code mode).

    DOWNHILL_URL=http://192.168.1.20:8000 DOWNHILL_TOKEN=dh_... python examples/descend.py 7

7 is the level's number for the API (on the instructor's sheet of tokens). Optional:
DOWNHILL_PASSWORD (the level's password), DOWNHILL_ETA (the learning rate, 0.5) and
DOWNHILL_GUESSES (how many guesses to make, 20). It waits out the cooldown as the server
says, and stops early when the budget is spent or the level closes.
"""

import os
import sys
import time
import uuid

import httpx

url, token, level = os.environ["DOWNHILL_URL"], os.environ["DOWNHILL_TOKEN"], sys.argv[1]
api = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"})
lv = api.post(f"/api/levels/{level}/enter", json={"password": os.environ.get("DOWNHILL_PASSWORD")})
lv = lv.raise_for_status().json()["level"]
x, eta, made = (lv["x_min"] + lv["x_max"]) / 2, float(os.environ.get("DOWNHILL_ETA", "0.5")), 0
while made < int(os.environ.get("DOWNHILL_GUESSES", "20")):
    key = uuid.uuid4().hex  # the same key on a retry would be answered once
    answer = api.post(f"/api/levels/{level}/guesses", json={"x": x, "idempotency_key": key})
    if answer.status_code == 429:  # the cooldown: wait as long as the server says
        time.sleep(answer.json()["error"]["seconds"])
        continue
    if answer.status_code in (403, 409):  # the budget is spent, or the level is closed
        break
    guess, made = answer.raise_for_status().json()["guess"], made + 1
    print(f"x = {guess['x']:<12.6g} f(x) = {guess['fx']:<12.6g} slope = {guess['slope']:.6g}")
    x = min(max(guess["x"] - eta * guess["slope"], lv["x_min"]), lv["x_max"])  # x ← x − η·f'(x)
