"""Settings by environment: `base` holds everything shared; `dev` (embedded defaults),
`test` and `production` are small overrides. Pick one with DJANGO_SETTINGS_MODULE."""
