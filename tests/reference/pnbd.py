# Reference values for src/fit/pnbd.rs: the Pareto/NBD log-likelihood by the
# hypergeometric form (Fader & Hardie 2005 note, eq. 22) and by direct
# integration over the lifetime; E[X(39)]. Run: python3 pnbd.py (mpmath 1.3.0).
from mpmath import mp, gamma, log, hyp2f1, quad, inf
mp.dps = 30
r,al,s,be = mp.mpf('0.5533'), mp.mpf('10.5776'), mp.mpf('0.6061'), mp.mpf('11.6690')
def Lhyp(r,al,s,be,x,tx,T):
    x=mp.mpf(x); tx=mp.mpf(tx); T=mp.mpf(T)
    a1=r+s+x
    if al>=be:
        A0 = hyp2f1(a1,s+1,a1+1,(al-be)/(al+tx))/(al+tx)**a1 - hyp2f1(a1,s+1,a1+1,(al-be)/(al+T))/(al+T)**a1
    else:
        A0 = hyp2f1(a1,r+x,a1+1,(be-al)/(be+tx))/(be+tx)**a1 - hyp2f1(a1,r+x,a1+1,(be-al)/(be+T))/(be+T)**a1
    return log(gamma(r+x)*al**r*be**s/gamma(r)*(1/((al+T)**(r+x)*(be+T)**s) + s/(r+s+x)*A0))
def Lint(r,al,s,be,x,tx,T):
    x=mp.mpf(x); tx=mp.mpf(tx); T=mp.mpf(T)
    # lambda, mu integrated analytically per lifetime tau
    alive = gamma(r+x)/gamma(r)*al**r/(al+T)**(r+x) * (be/(be+T))**s
    dead = quad(lambda tau: gamma(r+x)/gamma(r)*al**r/(al+tau)**(r+x) * s*be**s/(be+tau)**(s+1), [tx,T])
    return log(alive+dead)
for p in [(r,al,s,be),(mp.mpf('0.55'),mp.mpf('12.0'),mp.mpf('0.6'),mp.mpf('3.0'))]:
  for args in [(0,0,38.86),(2,30.43,38.86),(1,1.71,38.86),(10,37,38),(5,10,32),(40,20,39)]:
    print(p[1]>p[3], args, repr(float(Lhyp(*p,*args))), float(Lhyp(*p,*args)-Lint(*p,*args)))
t=39
print(float(r*be/(al*(s-1))*(1-(be/(be+t))**(s-1))))
