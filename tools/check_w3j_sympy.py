# Independent exact check of `e3j-cli.jar w3j --json` against sympy, from e3nn's definition of wigner_3j.
# Usage: python3 tools/check_w3j_sympy.py processor/target/e3j-cli.jar [LMAX=6]   (needs sympy)
import json, subprocess, sys, itertools
from sympy import sqrt, I, Rational, S, simplify, nsimplify, Matrix, zeros, conjugate, expand, re, im, sympify
from sympy.physics.quantum.cg import CG

def q(l):
    M = [[S(0)]*(2*l+1) for _ in range(2*l+1)]
    for m in range(-l, 0):
        M[l+m][l+abs(m)] = 1/sqrt(2)
        M[l+m][l-abs(m)] = -I/sqrt(2)
    M[l][l] = S(1)
    for m in range(1, l+1):
        M[l+m][l+abs(m)] = (-1)**m/sqrt(2)
        M[l+m][l-abs(m)] = I*(-1)**m/sqrt(2)
    f = (-I)**l
    return [[expand(f*x) for x in row] for row in M]

def w3j(l1, l2, l3):
    Q1, Q2, Q3 = q(l1), q(l2), q(l3)
    C = {}
    for m1 in range(-l1, l1+1):
        for m2 in range(-l2, l2+1):
            m3 = m1+m2
            if abs(m3) <= l3:
                C[(l1+m1, l2+m2, l3+m3)] = CG(S(l1), m1, S(l2), m2, S(l3), m3).doit()
    out = {}
    for j in range(2*l1+1):
        for l in range(2*l2+1):
            for m in range(2*l3+1):
                s = S(0)
                for (i, k, n), c in C.items():
                    a = Q1[i][j]; b = Q2[k][l]; d = conjugate(Q3[n][m])
                    if a != 0 and b != 0 and d != 0:
                        s += a*b*d*c
                s = expand(s)
                if s != 0:
                    out[(j, l, m)] = s
    for k, v in out.items():
        assert simplify(im(v)) == 0, (k, v)
    out = {k: simplify(re(v)) for k, v in out.items()}
    norm2 = simplify(sum(v**2 for v in out.values()))
    return {k: simplify(v/sqrt(norm2)) for k, v in out.items() if simplify(v) != 0}

jar = sys.argv[1]; L = int(sys.argv[2]) if len(sys.argv) > 2 else 6
bad = 0; n = 0
for l1 in range(L+1):
    for l2 in range(L+1):
        for l3 in range(abs(l1-l2), min(l1+l2, L)+1):
            ref = w3j(l1, l2, l3)
            got = json.loads(subprocess.run(["java", "-jar", jar, "w3j", str(l1), str(l2), str(l3), "--json"], capture_output=True, text=True, check=True).stdout)
            g = {(i, j, k): sympify(e) for i, j, k, e in got["nonzero"]}
            if set(g) != set(ref) or any(simplify(g[k]-ref[k]) != 0 for k in ref):
                bad += 1; print("MISMATCH", l1, l2, l3)
            n += 1
print(f"{n} triples checked, {bad} mismatches")
