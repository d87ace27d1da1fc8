package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"hash"
	"sync"
)

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
	keys map[keyScope]*signingKey // must hold mu
}

type keyScope struct{ secret, date, region, service string }

// key returns the signing key of secret for a credential's scope.
func (c *KeyCache) key(secret string, cred credential) *signingKey {
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
		c.keys = make(map[keyScope]*signingKey)
	}
	c.keys[s] = k
	c.mu.Unlock()
	return k
}

func deriveKey(secret string, cred credential) *signingKey {
	k := hmacSHA256([]byte("AWS4"+secret), cred.date)
	k = hmacSHA256(k, cred.region)
	k = hmacSHA256(k, cred.service)
	return &signingKey{key: hmacSHA256(k, "aws4_request")}
}

// signingKey is a derived key with the HMAC states keyed with it: keying
// an HMAC costs two SHA-256 blocks and its allocations, so a state is
// reset and reused by the requests of the same credential scope.
type signingKey struct {
	key  []byte
	macs sync.Pool // of hash.Hash, HMAC-SHA256 keyed with key
}

// sign appends the HMAC-SHA256 of data to dst.
func (k *signingKey) sign(dst, data []byte) []byte {
	mac, ok := k.macs.Get().(hash.Hash)
	if ok {
		mac.Reset()
	} else {
		mac = hmac.New(sha256.New, k.key)
	}
	mac.Write(data)
	dst = mac.Sum(dst)
	k.macs.Put(mac)
	return dst
}
