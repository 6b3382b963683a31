"""A plan's whole content through time: reading it as of a moment (history), the public as-of API
(api) and restoring it to an earlier version (restore). It reads and writes rows of all four
content apps (plans, objectives, interventions, funding), so it sits above them: they never
import it; the admin and the URLconf do."""
