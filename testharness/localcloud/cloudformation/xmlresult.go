package cloudformation

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
)

// children makes a result marshal as its fields alone. awsproto's
// WriteQueryResult marshals the operation's value through an interface
// field, which encoding/xml wraps in an element named after that field
// (<DescribeStacksResult><Inner>…); the SDKs then find no members. By
// re-emitting only the tokens inside the value's own element, the fields
// land directly in <ActionResult>, as the query protocol wants.
type children struct{ v any }

func (c children) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	raw, err := xml.Marshal(struct {
		XMLName xml.Name `xml:"r"`
		V       any
	}{V: c.v})
	if err != nil {
		return err
	}
	// Depth 1 is the wrapper <r>, depth 2 the value's own element; what
	// is deeper is the result's content.
	d := xml.NewDecoder(bytes.NewReader(raw))
	depth := 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return e.Flush()
		}
		if err != nil {
			return err
		}
		emit := depth >= 2
		switch tok.(type) {
		case xml.StartElement:
			depth++
			emit = depth > 2
		case xml.EndElement:
			emit = depth > 2
			depth--
		}
		if emit {
			if err := e.EncodeToken(xml.CopyToken(tok)); err != nil {
				return err
			}
		}
	}
}
