package handlers

// LimiterLen is how many keys the handler's in-memory limiter tracks.
func LimiterLen(h *Handler) int { return h.limiter.(*limiter).len() }
