// %RESPONSE_CODE_DETAILS% as Envoy writes it: envoy/stream_info/stream_info.h ResponseCodeDetailValues,
// router.cc Filter::onUpstreamReset (reset reason from Http::Utility::resetReasonToString, spaces as
// "_") and Filter::onPerTryTimeout (UpstreamPerTryTimeout).
import { describe, expect, it } from "vitest";
import { responseCodeDetails } from "../../src/telemetry/response-code-details.js";

describe("response code details", () => {
  it("names a refused connection remote_connection_failure, as current Envoy's reset reason does", () => {
    expect(responseCodeDetails(503, "UF", false)).toBe("upstream_reset_before_response_started{remote_connection_failure}");
    expect(responseCodeDetails(503, "URX,UF", false)).toBe("upstream_reset_before_response_started{remote_connection_failure}");
    expect(responseCodeDetails(503, "UO,UF", false)).toBe("upstream_reset_before_response_started{remote_connection_failure}");
  });
  it("a per-try timeout that used up the retries is upstream_per_try_timeout; the route timeout response_timeout", () => {
    expect(responseCodeDetails(504, "URX,UT", false)).toBe("upstream_per_try_timeout");
    expect(responseCodeDetails(504, "UT", false)).toBe("response_timeout");
    expect(responseCodeDetails(504, "DI,UT", false)).toBe("response_timeout");
  });
  it("the last flag set decides; an upstream's answer is via_upstream whatever the flags", () => {
    expect(responseCodeDetails(503, "URX,UO", false)).toBe("upstream_reset_before_response_started{overflow}");
    expect(responseCodeDetails(503, "DI,FI", false)).toBe("fault_filter_abort");
    expect(responseCodeDetails(0, "DI,DC", false)).toBe("downstream_remote_disconnect");
    expect(responseCodeDetails(503, "URX", true)).toBe("via_upstream");
  });
});
