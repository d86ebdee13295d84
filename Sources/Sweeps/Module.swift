// The Sweeps target: see ../../README.md and ARCHITECTURE.md. (Placeholder until its first type lands.)
