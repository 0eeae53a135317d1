package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"time"
)

// pingServer sends the MongoDB command {ping: 1, $db: "admin"} as one OP_MSG and checks that the
// reply carries ok: 1.0. It is the readiness check of the native stack: a few bytes by hand keep
// the binary free of a MongoDB driver, and the shell free of mongosh.
func pingServer(addr string, timeout time.Duration) error {
	conn, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(timeout)); err != nil {
		return err
	}

	if _, err := conn.Write(opMsg(1, pingDoc())); err != nil {
		return err
	}

	var header [16]byte
	if _, err := io.ReadFull(conn, header[:]); err != nil {
		return fmt.Errorf("reading reply header: %w", err)
	}
	length := binary.LittleEndian.Uint32(header[0:4])
	if length < 16 || length > 16<<20 {
		return fmt.Errorf("implausible reply length %d", length)
	}
	body := make([]byte, length-16)
	if _, err := io.ReadFull(conn, body); err != nil {
		return fmt.Errorf("reading reply: %w", err)
	}

	// OP_MSG reply: flagBits (4 bytes), section kind 0 (1 byte), then the reply document. An
	// {ok: 1.0} element is type 0x01, name "ok\x00", and 1.0 as a little-endian float64.
	var one [8]byte
	binary.LittleEndian.PutUint64(one[:], math.Float64bits(1))
	okElem := append([]byte{0x01, 'o', 'k', 0x00}, one[:]...)
	if !bytes.Contains(body, okElem) {
		return errors.New("reply has no ok: 1")
	}
	return nil
}

// pingDoc is the BSON document {ping: int32(1), $db: "admin"}.
func pingDoc() []byte {
	var e bytes.Buffer
	e.Write([]byte{0x10, 'p', 'i', 'n', 'g', 0x00})
	_ = binary.Write(&e, binary.LittleEndian, int32(1))
	e.Write([]byte{0x02, '$', 'd', 'b', 0x00})
	_ = binary.Write(&e, binary.LittleEndian, int32(len("admin")+1))
	e.WriteString("admin\x00")

	var doc bytes.Buffer
	_ = binary.Write(&doc, binary.LittleEndian, int32(4+e.Len()+1))
	doc.Write(e.Bytes())
	doc.WriteByte(0x00)
	return doc.Bytes()
}

// opMsg frames one body section as an OP_MSG (opCode 2013) message.
func opMsg(requestID int32, doc []byte) []byte {
	var m bytes.Buffer
	_ = binary.Write(&m, binary.LittleEndian, int32(16+4+1+len(doc)))
	_ = binary.Write(&m, binary.LittleEndian, requestID)
	_ = binary.Write(&m, binary.LittleEndian, int32(0)) // responseTo
	_ = binary.Write(&m, binary.LittleEndian, int32(2013))
	_ = binary.Write(&m, binary.LittleEndian, uint32(0)) // flagBits
	m.WriteByte(0x00)                                    // section kind 0: body
	m.Write(doc)
	return m.Bytes()
}
