"""causal-learn 0.1.4.8 KCI p-values on the LCG data of src/ci/kci.rs tests (fixture values there)."""
import numpy as np
from causallearn.utils.cit import CIT
def lcg(seed,n):
    s=seed; out=[]
    M=2**64
    for _ in range(n):
        s=(s*6364136223846793005+1442695040888963407)%M
        out.append(((s>>11)/2**53)*2-1)
    return np.array(out)
n=200
z=lcg(1,n); x=np.sin(2*z)+0.2*lcg(2,n); y=z*z+0.2*lcg(3,n); w=lcg(4,n)
d=np.column_stack([x,y,z,w])
t=CIT(d,"kci")
print(t(0,1,[]), t(0,3,[]), t(0,1,[2]))
