package controller

import "github.com/ec2lab/ec2lab/pkg/ec2err"

// volumeRule is EC2's size/IOPS/throughput envelope of a volume type.
type volumeRule struct {
	minGiB, maxGiB     int32
	defaultIOPS        func(size int32) int32
	minIOPS, maxIOPS   int32
	iopsPerGiB         int32 // max IOPS per GiB (0: IOPS not settable)
	defaultThroughput  int32 // MiB/s
	maxThroughput      int32
	throughputSettable bool
	iopsRequired       bool
}

var volumeRules = map[string]volumeRule{
	"gp2": {minGiB: 1, maxGiB: 16384, defaultIOPS: func(g int32) int32 { return clamp(3*g, 100, 16000) },
		defaultThroughput: 250, maxThroughput: 250},
	"gp3": {minGiB: 1, maxGiB: 16384, defaultIOPS: func(int32) int32 { return 3000 }, minIOPS: 3000, maxIOPS: 16000,
		iopsPerGiB: 500, defaultThroughput: 125, maxThroughput: 1000, throughputSettable: true},
	"io1": {minGiB: 4, maxGiB: 16384, minIOPS: 100, maxIOPS: 64000, iopsPerGiB: 50, defaultThroughput: 1000,
		maxThroughput: 1000, iopsRequired: true},
	"io2": {minGiB: 4, maxGiB: 16384, minIOPS: 100, maxIOPS: 256000, iopsPerGiB: 1000, defaultThroughput: 4000,
		maxThroughput: 4000, iopsRequired: true},
	"st1":      {minGiB: 125, maxGiB: 16384, defaultIOPS: func(int32) int32 { return 500 }, defaultThroughput: 500, maxThroughput: 500},
	"sc1":      {minGiB: 125, maxGiB: 16384, defaultIOPS: func(int32) int32 { return 250 }, defaultThroughput: 250, maxThroughput: 250},
	"standard": {minGiB: 1, maxGiB: 1024, defaultIOPS: func(int32) int32 { return 200 }, defaultThroughput: 90, maxThroughput: 90},
}

func clamp(v, lo, hi int32) int32 {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

func validVolumeType(t string) bool { _, ok := volumeRules[t]; return ok }

// applyVolumeDefaults fills a volume's IOPS and throughput from its type.
func applyVolumeDefaults(v *Volume, iops, throughput int32) {
	if v.Type == "" {
		v.Type = "gp3"
	}
	r := volumeRules[v.Type]
	v.IOPS, v.Throughput = iops, throughput
	if v.IOPS == 0 && r.defaultIOPS != nil {
		v.IOPS = r.defaultIOPS(v.SizeGiB)
	}
	if v.Throughput == 0 {
		v.Throughput = r.defaultThroughput
	}
}

// checkVolumeShape validates size, IOPS and throughput against EC2's rules.
func checkVolumeShape(typ string, size, iops, throughput int32) error {
	r, ok := volumeRules[typ]
	if !ok {
		return ec2err.New(ec2err.InvalidParameterValue, "Invalid value '%s' for VolumeType.", typ)
	}
	if size < r.minGiB || size > r.maxGiB {
		return ec2err.New(ec2err.InvalidParameterValue, "Volume of %dGiB is outside the %s range of %d-%d GiB.", size, typ, r.minGiB, r.maxGiB)
	}
	if r.iopsRequired && iops == 0 {
		return ec2err.New(ec2err.MissingParameter, "The parameter iops must be specified for %s volumes.", typ)
	}
	if iops != 0 {
		if r.iopsPerGiB == 0 {
			return ec2err.New(ec2err.InvalidParameterCombination, "The parameter iops is not supported for %s volumes.", typ)
		}
		if iops < r.minIOPS || iops > r.maxIOPS {
			return ec2err.New(ec2err.InvalidParameterValue, "Volume iops of %d is outside the %s range of %d-%d.", iops, typ, r.minIOPS, r.maxIOPS)
		}
		if iops > r.minIOPS && iops > r.iopsPerGiB*size { // gp3's 3000 baseline fits any size
			return ec2err.New(ec2err.InvalidParameterValue, "Iops to volume size ratio of %d is too high; maximum is %d.", iops/size, r.iopsPerGiB)
		}
	}
	if throughput != 0 {
		if !r.throughputSettable {
			return ec2err.New(ec2err.InvalidParameterCombination, "The parameter throughput is not supported for %s volumes.", typ)
		}
		if throughput < r.defaultThroughput || throughput > r.maxThroughput {
			return ec2err.New(ec2err.InvalidParameterValue, "Throughput of %d MiB/s is outside the %s range of %d-%d.", throughput, typ, r.defaultThroughput, r.maxThroughput)
		}
	}
	return nil
}
