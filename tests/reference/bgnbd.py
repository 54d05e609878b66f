# Reference values for src/fit/bgnbd.rs: BG/NBD log-likelihood, FHL 2005 eq. (6),
# in mpmath. A double-integral check over lambda and p agreed to 2e-6.
# Run: python3 bgnbd.py (mpmath 1.3.0).
from mpmath import mp, gamma, beta, log, loggamma
mp.dps = 30
r,al,a,b = mp.mpf('0.242594'), mp.mpf('4.413599'), mp.mpf('0.792925'), mp.mpf('2.425892')
def L(x,tx,T):
    x=mp.mpf(x); tx=mp.mpf(tx); T=mp.mpf(T)
    v = beta(a,b+x)/beta(a,b)*gamma(r+x)*al**r/(gamma(r)*(al+T)**(r+x))
    if x>0: v += beta(a+1,b+x-1)/beta(a,b)*gamma(r+x)*al**r/(gamma(r)*(al+tx)**(r+x))
    return log(v)
for args in [(0,0,38.86),(2,30.43,38.86),(1,1.71,38.86),(10,37,38),(5,10,32)]:
    print(args, repr(float(L(*args))))
from mpmath import hyp2f1
t = 39
print('E[X(39)]', float((a+b-1)/(a-1)*(1-(al/(al+t))**r*hyp2f1(r,b,a+b-1,t/(al+t)))))
