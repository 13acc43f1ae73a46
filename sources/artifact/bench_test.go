package artifact

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"testing"
)

// stateDictStream builds a protocol 2 stream shaped like the data.pkl
// torch.save writes for a state dict of n tensors.
func stateDictStream(n int) []byte {
	var b bytes.Buffer
	memo := uint32(0)
	put := func() {
		b.WriteByte(opLONGBINPUT)
		binary.Write(&b, binary.LittleEndian, memo)
		memo++
	}
	str := func(s string) {
		b.WriteByte(opBINUNICODE)
		binary.Write(&b, binary.LittleEndian, uint32(len(s)))
		b.WriteString(s)
		put()
	}
	b.WriteString("\x80\x02ccollections\nOrderedDict\n")
	put()
	b.WriteString(")R")
	put()
	b.WriteByte(opMARK)
	for i := range n {
		str(fmt.Sprintf("model.layers.%d.self_attn.q_proj.weight", i))
		b.WriteString("ctorch._utils\n_rebuild_tensor_v2\n")
		put()
		b.WriteString("((")
		str("storage")
		b.WriteString("ctorch\nBFloat16Storage\n")
		put()
		str(fmt.Sprint(i))
		str("cpu")
		b.WriteString("J\x00\x00\x00\x01tQK\x00M\x00\x10M\x00\x10\x86")
		put()
		b.WriteString("M\x00\x10K\x01\x86")
		put()
		b.WriteString("\x89ccollections\nOrderedDict\n)Rt")
		put()
		b.WriteString("R")
		put()
	}
	b.WriteString("u.")
	return b.Bytes()
}

func BenchmarkScanPickleStateDict(b *testing.B) {
	data := stateDictStream(50_000)
	rep, err := ScanPickle(bytes.NewReader(data), int64(len(data)))
	if err != nil || rep.Malformed != "" || rep.Truncated || rep.Worst() != Safe {
		b.Fatalf("benchmark stream does not scan cleanly: %+v, %v", rep, err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := ScanPickle(bytes.NewReader(data), int64(len(data))); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rep.Opcodes)*float64(b.N)/b.Elapsed().Seconds(), "opcodes/s")
}
