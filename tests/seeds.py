"""Where the seed documents are: ../shared/seeds beside the repository (as CI lays it
out), else the workplace's copy."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEEDS = next((p for p in (REPO.parent / "shared" / "seeds", Path("/work/shared/seeds")) if p.is_dir()),
             REPO.parent / "shared" / "seeds")
