"""The pytest plugin: inert when unused, and its fixtures work on asyncio and trio."""

from __future__ import annotations

import subprocess
import sys

import pytest

import mindhunters_async.testing._plugin as plugin

pytest_plugins = ["pytester"]

# Load the plugin by module name whether or not the SDK's entry point is installed:
# blocking the entry point's name keeps it from being registered twice. This module
# has imported the plugin already, so pytest could not rewrite its asserts and would
# say so in a warning (an error under -W error): plain asserts avoid that.
PLUGIN_ARGS = (
    "-p",
    "no:mindhunters_async",
    "-p",
    "mindhunters_async.testing._plugin",
    "--assert=plain",
)

CONFTEST = """
import pytest

@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request):
    return request.param
"""


def test_the_plugin_defines_no_hooks() -> None:
    assert [name for name in vars(plugin) if name.startswith("pytest_")] == []


def test_importing_the_plugin_imports_no_optional_dependency() -> None:
    # Only what the plugin adds counts: on httpx2 aliased as httpx, importing httpx
    # itself already imports trio (httpcore2 probes for it).
    code = (
        "import sys, httpx; before = set(sys.modules);"
        "import mindhunters_async.testing._plugin;"
        "print(sorted({'respx', 'uvicorn', 'trio'} & (set(sys.modules) - before)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_no_fixture_is_autouse(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_nothing():\n    pass\n")
    result = pytester.runpytest(*PLUGIN_ARGS, "--setup-plan")
    result.assert_outcomes(passed=0)
    assert "test_nothing" in result.stdout.str()
    assert "mindhunters" not in result.stdout.str()


def test_fake_fixture_is_fresh_per_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_one(fake_mindhunters):
            fake_mindhunters.add_call()
            assert len(fake_mindhunters.calls) == 1

        def test_two(fake_mindhunters):
            assert fake_mindhunters.calls == {}
            assert list(fake_mindhunters.agents) == [fake_mindhunters.DEFAULT_AGENT_ID]
        """
    )
    pytester.runpytest(*PLUGIN_ARGS, "-W", "error").assert_outcomes(passed=2)


def test_client_fixture_on_asyncio_and_trio(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.anyio
        async def test_place_a_call(mindhunters_client, fake_mindhunters):
            call = await mindhunters_client.calls.create(
                agent_id=fake_mindhunters.DEFAULT_AGENT_ID,
                participant={"number": "+14155552671"},
            )
            assert list(fake_mindhunters.calls) == [call.id]
            (request,) = fake_mindhunters.requests_to("POST", "/call")
            assert request.idempotency_key
        """
    )
    result = pytester.runpytest(*PLUGIN_ARGS, "-W", "error", "-v")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(
        ["*test_place_a_call?asyncio? PASSED*", "*test_place_a_call?trio? PASSED*"]
    )
