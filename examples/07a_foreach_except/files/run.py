"""Fails on item 4; otherwise creates artifacts/out_<n>.txt and prints n*2."""
import sys

n = int(sys.argv[1])
if n == 4:
    raise ValueError("item 4 is broken on purpose")
with open(f"artifacts/out_{n}.txt", "w") as f:
    f.write(f"{n}\n")
print(n * 2)
