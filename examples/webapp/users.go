package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// User is an account.
type User struct {
	ID      int64
	Email   string
	Created time.Time
}

var (
	errBadCredentials = errors.New("invalid email or password")
	errEmailTaken     = errors.New("an account with that email already exists")
)

// users keeps accounts in the app's own table.
type users struct {
	db      *sql.DB
	dialect string
	cost    int
	// dummy is a real hash to compare against when an email is unknown, so
	// that a wrong email takes as long as a wrong password.
	dummy []byte
}

var usersSchema = map[string]string{
	"sqlite": `CREATE TABLE IF NOT EXISTS users (
		id INTEGER PRIMARY KEY AUTOINCREMENT,
		email TEXT NOT NULL UNIQUE,
		password_hash TEXT NOT NULL,
		created_at INTEGER NOT NULL
	)`,
	"postgres": `CREATE TABLE IF NOT EXISTS users (
		id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		email TEXT NOT NULL UNIQUE,
		password_hash TEXT NOT NULL,
		created_at BIGINT NOT NULL
	)`,
}

func newUsers(ctx context.Context, db *sql.DB, dialect string, cost int) (*users, error) {
	if _, err := db.ExecContext(ctx, usersSchema[dialect]); err != nil {
		return nil, fmt.Errorf("create users table: %w", err)
	}
	dummy, err := bcrypt.GenerateFromPassword([]byte("no such user"), cost)
	if err != nil {
		return nil, err
	}
	return &users{db: db, dialect: dialect, cost: cost, dummy: dummy}, nil
}

// maxEmailLen is the longest email address an account may have (RFC
// 5321's path limit, less the brackets).
const maxEmailLen = 254

// validateSignup checks an email and password before an account is made.
func validateSignup(email, password string) error {
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || len(email) > maxEmailLen {
		return errors.New("enter a valid email address")
	}
	if len(password) < 8 {
		return errors.New("use a password of at least 8 characters")
	}
	if len(password) > 72 {
		return errors.New("use a password of at most 72 bytes")
	}
	return nil
}

func normalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// create makes an account.
func (u *users) create(ctx context.Context, email, password string, now time.Time) (User, error) {
	email = normalizeEmail(email)
	if err := validateSignup(email, password); err != nil {
		return User{}, err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), u.cost)
	if err != nil {
		return User{}, err
	}
	var id int64
	err = u.db.QueryRowContext(ctx,
		`INSERT INTO users (email, password_hash, created_at) VALUES ($1, $2, $3)
		 ON CONFLICT (email) DO NOTHING RETURNING id`,
		email, string(hash), now.Unix()).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, errEmailTaken
	}
	if err != nil {
		return User{}, err
	}
	return User{ID: id, Email: email, Created: now}, nil
}

// ensure makes the account unless it exists; for the demo account.
func (u *users) ensure(ctx context.Context, email, password string, now time.Time) error {
	_, err := u.create(ctx, email, password, now)
	if errors.Is(err, errEmailTaken) {
		return nil
	}
	return err
}

// authenticate returns the account if the password is right, and
// errBadCredentials, the same for a wrong email and a wrong password,
// otherwise.
func (u *users) authenticate(ctx context.Context, email, password string) (User, error) {
	var user User
	var hash string
	var created int64
	err := u.db.QueryRowContext(ctx, `SELECT id, email, password_hash, created_at FROM users WHERE email = $1`,
		normalizeEmail(email)).Scan(&user.ID, &user.Email, &hash, &created)
	if errors.Is(err, sql.ErrNoRows) {
		_ = bcrypt.CompareHashAndPassword(u.dummy, []byte(password))
		return User{}, errBadCredentials
	}
	if err != nil {
		return User{}, err
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil {
		return User{}, errBadCredentials
	}
	user.Created = time.Unix(created, 0)
	return user, nil
}

// byID returns an account.
func (u *users) byID(ctx context.Context, id int64) (User, error) {
	var user User
	var created int64
	err := u.db.QueryRowContext(ctx, `SELECT id, email, created_at FROM users WHERE id = $1`, id).
		Scan(&user.ID, &user.Email, &created)
	user.Created = time.Unix(created, 0)
	return user, err
}

// setPassword replaces the password of account id with next (checked by
// validateSignup first), after checking the current one:
// errBadCredentials when it is wrong.
func (u *users) setPassword(ctx context.Context, id int64, current, next string) error {
	user, err := u.byID(ctx, id)
	if err != nil {
		return err
	}
	if _, err := u.authenticate(ctx, user.Email, current); err != nil {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(next), u.cost)
	if err != nil {
		return err
	}
	_, err = u.db.ExecContext(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2`, string(hash), id)
	return err
}
