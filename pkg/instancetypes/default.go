package instancetypes

// GPU model names used by the built-in accelerated types.
const (
	GPUNvidiaT4   = "NVIDIA T4"
	GPUNvidiaV100 = "NVIDIA V100"
)

// Default returns the built-in catalog: real EC2 names and sizes.
func Default() *Catalog {
	c, err := newCatalog(builtin())
	if err != nil {
		panic("instancetypes: built-in catalog invalid: " + err.Error())
	}
	return c
}

func builtin() []Type {
	var ts []Type
	ts = append(ts, burstable("t3.nano", 2, 512, 5), burstable("t3.micro", 2, 1024, 10),
		burstable("t3.small", 2, 2048, 20), burstable("t3.medium", 2, 4096, 20),
		burstable("t3.large", 2, 8192, 30), burstable("t3.xlarge", 4, 16384, 40),
		burstable("t3.2xlarge", 8, 32768, 40))
	ts = append(ts, plain("m5.large", General, 2, 8192), plain("m5.xlarge", General, 4, 16384),
		plain("m5.2xlarge", General, 8, 32768), plain("m5.4xlarge", General, 16, 65536))
	for _, t := range []Type{plain("c5.large", Compute, 2, 4096), plain("c5.xlarge", Compute, 4, 8192),
		plain("c5.2xlarge", Compute, 8, 16384), plain("c5.4xlarge", Compute, 16, 32768)} {
		t.DedicatedCPU = true
		ts = append(ts, t)
	}
	for _, t := range []Type{plain("r5.large", Memory, 2, 16384), plain("r5.xlarge", Memory, 4, 32768),
		plain("r5.2xlarge", Memory, 8, 65536), plain("r5.4xlarge", Memory, 16, 131072),
		withStore(plain("x1.16xlarge", Memory, 64, 999424), 1, 1920, SSD)} {
		t.Hugepages = true
		ts = append(ts, t)
	}
	ts = append(ts, withStore(plain("i3.large", Storage, 2, 15616), 1, 475, SSD),
		withStore(plain("i3.xlarge", Storage, 4, 31232), 1, 950, SSD),
		withStore(plain("i3.2xlarge", Storage, 8, 62464), 1, 1900, SSD),
		withStore(plain("d2.xlarge", Storage, 4, 31232), 3, 3*2048, HDD))
	ts = append(ts, withGPU(withStore(plain("g4dn.xlarge", Accelerated, 4, 16384), 1, 125, SSD), 1, GPUNvidiaT4),
		withGPU(plain("p3.2xlarge", Accelerated, 8, 62464), 1, GPUNvidiaV100),
		plain("inf1.xlarge", Accelerated, 4, 8192))
	return ts
}

func plain(name string, f Family, vcpus int, mib int64) Type {
	return Type{Name: name, Family: f, VCPUs: vcpus, MemoryMiB: mib, Architectures: []string{"x86_64"}}
}

func burstable(name string, vcpus int, mib int64, baseline int) Type {
	t := plain(name, General, vcpus, mib)
	t.Burstable, t.BaselinePercent = true, baseline
	return t
}

func withStore(t Type, disks int, totalGB int64, media string) Type {
	t.InstanceStoreDisks, t.InstanceStoreGB, t.InstanceStoreType = disks, totalGB, media
	return t
}

func withGPU(t Type, n int, name string) Type {
	t.GPUs, t.GPUName = n, name
	return t
}
