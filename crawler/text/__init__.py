"""Text as every stage reads it: a page's bytes to text (whatever it declares, TCVN3 included)
and the normal forms the store compares (NFC, tone placement, folded). Pure; below discovery,
since the safety middleware reads a response in the charset its bytes are in."""
