package sigv4

import "sync"

// maxCachedKeys bounds a KeyCache: a key lives a day (its date is part of
// the scope), and the local cloud issues a few credentials per function,
// so a full cache means keys of past days; it is then emptied.
const maxCachedKeys = 4096

// KeyCache remembers signing keys (IAM User Guide, "Derive a signing key
// for Signature Version 4"): four HMACs per request that change only with
// the secret, the date, the region and the service. It is safe for
// concurrent use; a nil *KeyCache derives every key afresh.
type KeyCache struct {
	mu   sync.Mutex
	keys map[keyScope][]byte // must hold mu
}

type keyScope struct{ secret, date, region, service string }

// key returns the signing key of secret for a credential's scope.
func (c *KeyCache) key(secret string, cred credential) []byte {
	if c == nil {
		return deriveKey(secret, cred)
	}
	s := keyScope{secret, cred.date, cred.region, cred.service}
	c.mu.Lock()
	k, ok := c.keys[s]
	c.mu.Unlock()
	if ok {
		return k
	}
	k = deriveKey(secret, cred)
	c.mu.Lock()
	if c.keys == nil || len(c.keys) >= maxCachedKeys {
		c.keys = make(map[keyScope][]byte)
	}
	c.keys[s] = k
	c.mu.Unlock()
	return k
}

func deriveKey(secret string, cred credential) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), cred.date)
	k = hmacSHA256(k, cred.region)
	k = hmacSHA256(k, cred.service)
	return hmacSHA256(k, "aws4_request")
}
