"""PyTorch side of `npm run bench`: the same workloads as bench/run.mjs (BENCHMARKS.md).

Usage: /usr/bin/python3 bench/torch_bench.py <workloads comma-separated> <quick 0|1>
Prints one JSON object {workload: value}. Run W6 with OMP_WAIT_POLICY=PASSIVE (run.mjs does).
"""
import json
import statistics
import sys
import time

import torch

torch.set_num_threads(2)
torch.manual_seed(0)
only = sys.argv[1].split(",")
quick = sys.argv[2] == "1"
reps = 3 if quick else 7
out = {}


def median_time(fn, inner):
    fn()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        ts.append((time.perf_counter() - t0) / inner)
    return statistics.median(ts)


if "W1" in only:
    for n in (128, 512, 1024):
        a, b = torch.randn(n, n), torch.randn(n, n)
        inner = max(1, int(2e9 / (2 * n**3))) if not quick else max(1, int(3e8 / (2 * n**3)))
        t = median_time(lambda: a.matmul(b), inner)
        out[f"W1 matmul {n}"] = 2 * n**3 / t / 1e9

if "W2" in only:
    for n, label in ((1 << 20, "1M"), (1 << 24, "16M")):
        a, b = torch.randn(n), torch.randn(n)
        inner = 50 if n == 1 << 20 else 5
        if quick:
            inner = max(1, inner // 5)
        t = median_time(lambda: a.add(b), inner)
        out[f"W2 add {label}"] = 12 * n / t / 1e9
        t = median_time(lambda: a.exp(), inner)
        out[f"W2 exp {label}"] = 8 * n / t / 1e9

if "W3" in only:
    a = torch.randn(1 << 24)
    t = median_time(lambda: a.sum(), 3 if quick else 10)
    out["W3 sum 16M"] = 4 * (1 << 24) / t / 1e9
    m = torch.randn(4096, 4096)
    t = median_time(lambda: m.sum(1), 3 if quick else 10)
    out["W3 sum(1) 4096x4096"] = (4 * 4096 * 4096 + 4 * 4096) / t / 1e9

if "W4" in only:
    n = 20000 if quick else 100000
    a, b = torch.randn(1), torch.randn(1)
    t = median_time(lambda: [a.add(b) for _ in range(n)], 1)
    out["W4 add no grad"] = t / n * 1e6
    ag = torch.randn(1, requires_grad=True)
    t = median_time(lambda: [ag.add(b) for _ in range(n)], 1)
    out["W4 add grad"] = t / n * 1e6

if "W5" in only:
    def chain():
        x = torch.tensor(0.5, requires_grad=True)
        y = x
        for i in range(100):
            k = i % 3
            y = y * 1.001 if k == 0 else (y + 0.5 if k == 1 else torch.sin(y))
        y.backward()
    iters = 200 if quick else 1000
    t = median_time(chain, iters)
    out["W5 op+backward"] = t / 100 * 1e6

if "W6" in only:
    for batch in (64, 256):
        torch.manual_seed(0)
        model = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 512), torch.nn.ReLU(), torch.nn.Linear(512, 10))
        opt = torch.optim.SGD(model.parameters(), lr=0.01)
        x = torch.randn(batch, 784)
        y = torch.randint(0, 10, (batch,))
        lossf = torch.nn.CrossEntropyLoss()

        def step():
            opt.zero_grad()
            loss = lossf(model(x), y)
            loss.backward()
            opt.step()
        for _ in range(10):
            step()
        steps = 20 if quick else 100
        ts = []
        for _ in range(3 if quick else 5):
            t0 = time.perf_counter()
            for _ in range(steps):
                step()
            ts.append((time.perf_counter() - t0) / steps)
        out[f"W6 MLP batch {batch}"] = statistics.median(ts) * 1e3
    import resource
    out["W6 peak RSS MB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

if "W7" in only:
    def epoch_loop():
        x = torch.tensor(3.0, requires_grad=True)
        for _ in range(50):
            y = x ** 2
            if x.grad is not None:
                x.grad.zero_()
            y.backward()
            with torch.no_grad():
                x -= 0.1 * x.grad
    t = median_time(epoch_loop, 40 if quick else 200)
    out["W7 seed loop"] = t / 50 * 1e6

print(json.dumps(out))
