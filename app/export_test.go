package app

// LimiterLen is how many keys the service's in-memory limiter tracks.
func LimiterLen(s *Service) int { return s.lim.(*limiter).len() }
