//! CSV import: column recognition and line parsing (filled in below).
