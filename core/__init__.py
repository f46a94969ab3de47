"""Project-wide building blocks every app may import: no models, no app imports."""
