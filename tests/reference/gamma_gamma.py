# Reference values for src/fit/gamma_gamma.rs: the density of a customer's mean
# transaction value z̄ of x transactions, integrating the Gamma(px, rate xν)
# density over ν ~ Gamma(q, rate γ). Run: python3 gamma_gamma.py (mpmath 1.3.0).
from mpmath import mp, quad, gamma, exp, log, inf
mp.dps = 30
p, q, g = mp.mpf('6.25'), mp.mpf('3.74'), mp.mpf('15.44')
def ll(x, m):
    x = mp.mpf(x); m = mp.mpf(m)
    f = lambda nu: (x*nu)**(p*x) * m**(p*x-1) * exp(-x*nu*m) / gamma(p*x) * g**q * nu**(q-1) * exp(-g*nu) / gamma(q)
    return log(quad(f, [0, 0.01, 0.1, 1, 10, inf]))
for x, m in [(1, 30), (5, 12.5), (20, 200)]:
    print(x, m, repr(float(ll(x, m))))
