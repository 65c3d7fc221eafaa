package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gatehouse/delivery"
	"gatehouse/models"
	"gatehouse/store"
)

// Reset request quotas, per fixed hour. Every request counts, refused ones too. The email
// quota keeps a mailbox from being flooded; the IP quota keeps one client from walking a list.
const (
	resetsPerEmail = 5
	resetsPerIP    = 20
	resetWindow    = time.Hour
)

// offRequest runs work off the request path, in the background (Service.Wait waits for it).
// A test replaces it to look at what the request path alone did.
var offRequest = func(s *Service, work func()) {
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		work()
	}()
}

// RequestPasswordReset emails a reset link to the account with the given email, if there is
// one. Invalid input is models.FieldErrors; otherwise the answer is nil either way, and so is
// the work on the request path: a token is minted, the email composed and the token saved
// bound to the address whether or not an account has it. Looking the account up, the outbox
// write and the audit event happen off the request path, so the time the request takes says
// nothing about which addresses have accounts. Over a quota nothing is sent.
func (s *Service) RequestPasswordReset(ctx context.Context, req *models.ForgotPasswordRequest, meta models.Meta) error {
	if errs := req.Validate(); errs.Any() {
		return errs
	}
	// The email is counted only while the address is within its quota: an address over it
	// sends nothing, and must not fill the limiter with a new key for every email it tries.
	ipOK := s.lim.Allow("reset-ip:"+meta.IP, resetsPerIP, resetWindow)
	emailOK := ipOK && s.lim.Allow("reset-email:"+req.Email, resetsPerEmail, resetWindow)
	if !ipOK || !emailOK {
		s.log.Warn("password reset request over quota; nothing sent", "ip", meta.IP, "ip_quota", !ipOK, "email_quota", !emailOK)
		return nil
	}
	raw, hash := models.NewToken()
	now := s.now()
	expires := now.Add(store.PasswordResetLifetime)
	subject, text, html := delivery.PasswordResetEmail(delivery.PasswordResetData{Email: req.Email, Link: s.link("/reset-password/"+raw, nil), ExpiresAt: expires, Now: now})
	// The message belongs to no organization: the Outbox page shows bodies to Owners, and a
	// reset link in an Owner's hands would let them take over a member's password.
	msg := models.OutboxMessage{Channel: models.ChannelEmail, Recipient: req.Email, Subject: subject, TextBody: text, HTMLBody: html}
	err := s.st.InTx(ctx, func(ctx context.Context) error {
		return s.st.SavePasswordReset(ctx, req.Email, hash, expires)
	})
	if err != nil {
		return err
	}
	offRequest(s, func() {
		if err := s.sendPasswordReset(context.WithoutCancel(ctx), req.Email, hash, msg, meta); err != nil {
			s.log.Error("unable to send a password reset", "err", err)
		}
	})
	s.log.Info("password reset requested", "ip", meta.IP)
	return nil
}

// sendPasswordReset puts the reset email in the outbox and audits the request when an account
// has the address; otherwise it drops the token, which was never sent.
func (s *Service) sendPasswordReset(ctx context.Context, email string, hash []byte, msg models.OutboxMessage, meta models.Meta) error {
	sent := false
	err := s.st.InTx(ctx, func(ctx context.Context) error {
		u, err := s.st.FindUserByEmail(ctx, email)
		if errors.Is(err, models.ErrNotFound) {
			return s.st.DeletePasswordReset(ctx, hash)
		}
		if err != nil {
			return err
		}
		if err := s.st.Enqueue(ctx, &msg); err != nil {
			return err
		}
		ev := models.AuditEvent{OrgID: u.LastOrgID, Action: models.ActionPasswordResetAsked, TargetEmail: u.Email}
		if ev.TargetMembershipID, err = s.st.LastMembershipID(ctx, u); err != nil {
			return err
		}
		sent = true
		return s.st.Audit(ctx, ev, meta)
	})
	if err == nil && sent {
		s.pokeOutbox()
	}
	return err
}

// FindPasswordReset returns the account email of a live reset link's raw token, or
// models.ErrGone for an unknown, used, replaced or expired one.
func (s *Service) FindPasswordReset(ctx context.Context, token string) (string, error) {
	return s.st.FindPasswordReset(ctx, token)
}

// ResetPassword sets the new password through a live reset link and ends every session of
// the account; it logs nobody in. A dead link is models.ErrGone, invalid input
// models.FieldErrors. It returns the account.
func (s *Service) ResetPassword(ctx context.Context, req models.ResetPasswordRequest, meta models.Meta) (*models.User, error) {
	email, err := s.st.FindPasswordReset(ctx, req.Token)
	if err != nil {
		return nil, err
	}
	if errs := req.Validate(email); errs.Any() {
		return nil, errs
	}
	// Hashed before the transaction: hashing is slow and the single writer must not wait on it.
	hash := models.HashPassword(req.Password)
	var user *models.User
	err = s.st.InTx(ctx, func(ctx context.Context) error {
		var ended int64
		var err error
		if user, ended, err = s.st.ResetPassword(ctx, req.Token, hash); err != nil {
			return err
		}
		ev := models.AuditEvent{OrgID: user.LastOrgID, ActorUserID: &user.ID, ActorEmail: user.Email,
			Action: models.ActionPasswordReset, TargetEmail: user.Email, Detail: sessionsSignedOut(ended)}
		if ev.TargetMembershipID, err = s.st.LastMembershipID(ctx, user); err != nil {
			return err
		}
		return s.st.Audit(ctx, ev, meta)
	})
	if err != nil {
		return nil, err
	}
	// Whoever reset proved they hold the mailbox: failed guesses before no longer hold them back.
	s.lim.Reset("email:" + user.Email)
	s.log.Info("password reset", "user", user.ID, "ip", meta.IP)
	return user, nil
}

func sessionsSignedOut(n int64) string {
	if n == 1 {
		return "1 session signed out"
	}
	return fmt.Sprintf("%d sessions signed out", n)
}
