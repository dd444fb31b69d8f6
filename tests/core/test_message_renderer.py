"""A renderer remembers each distinct message it rendered, up to its limit (bounded memory:
the matrix export renders hundreds of thousands of cells)."""
from vendorrisk.core.messages import CACHE_LIMIT, Renderer, msg


def test_a_renderer_remembers_at_most_its_limit_and_still_renders_everything(app):
    with app.test_request_context():
        render = Renderer(limit=3)
        texts = [render(msg("Vendor %(name)s", name=f"v{n}")) for n in range(10)]
        assert texts == [f"Vendor v{n}" for n in range(10)]
        assert 0 < len(render.cache) <= 3
        assert Renderer().limit == CACHE_LIMIT
