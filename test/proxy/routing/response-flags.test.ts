import { describe, expect, it } from "vitest";
import {
  formatResponseFlags, joinResponseFlags, parseResponseFlags, RESPONSE_FLAG_DESCRIPTIONS, RESPONSE_FLAG_LONG_NAMES, RESPONSE_FLAG_ORDER, ResponseFlagBit, responseFlagBits,
} from "../../../src/proxy/response-flags.js";

describe("response flags", () => {
  it("prints '-' for none", () => {
    expect(formatResponseFlags(0)).toBe("-");
    expect(formatResponseFlags([])).toBe("-");
  });
  it("joins in Envoy's canonical order whatever the insertion order", () => {
    expect(formatResponseFlags(["URX", "UF"])).toBe("UF,URX");
    expect(formatResponseFlags(["FI", "DI"])).toBe("DI,FI");
    expect(formatResponseFlags(ResponseFlagBit.URX | ResponseFlagBit.UO | ResponseFlagBit.UH)).toBe("UH,UO,URX");
    expect(formatResponseFlags(["NC", "UT"])).toBe("UT,NC");
  });
  // Envoy keeps a stream's flags in the order they were set and prints them so
  // (envoy source/common/stream_info/stream_info_impl.h setResponseFlag, utility.cc toString):
  // router.cc Filter::maybeRetryReset sets URX (or UO) before onUpstreamAbort sets the try's flag.
  it("joins flags of one stream in the order they were set, each once", () => {
    expect(joinResponseFlags("URX", "UF")).toBe("URX,UF");
    expect(joinResponseFlags("URX", "UT")).toBe("URX,UT");
    expect(joinResponseFlags("UO", "UF")).toBe("UO,UF");
    expect(joinResponseFlags("DI", "UT")).toBe("DI,UT");
    expect(joinResponseFlags("DI", "DC")).toBe("DI,DC");
    expect(joinResponseFlags("DI,FI", "FI")).toBe("DI,FI");
    expect(joinResponseFlags("-", "UH")).toBe("UH");
    expect(joinResponseFlags("URX", "-")).toBe("URX");
  });
  // %RESPONSE_FLAGS_LONG% prints Envoy's long strings, which are not always the enum's names:
  // envoyproxy/envoy source/common/stream_info/utility.h (OVERLOAD_MANAGER_LONG, DROP_OVERLOAD_LONG).
  it("long names are Envoy's strings", () => {
    expect(RESPONSE_FLAG_LONG_NAMES.OM).toBe("OverloadManagerTerminated");
    expect(RESPONSE_FLAG_LONG_NAMES.DO).toBe("DropOverload");
    expect(RESPONSE_FLAG_LONG_NAMES.UDO).toBe("UnconditionalDropOverload");
    expect(RESPONSE_FLAG_LONG_NAMES.UMSDR).toBe("UpstreamMaxStreamDurationReached");
  });
  it("has every flag the simulator needs, each described, and round-trips", () => {
    for (const f of ["UH", "UF", "UO", "NR", "URX", "NC", "UT", "UC", "UR", "LR", "DC", "DI", "FI", "RL", "UAEX", "DPE", "UPE", "DR", "UDO"] as const) {
      expect(RESPONSE_FLAG_ORDER).toContain(f);
      expect(RESPONSE_FLAG_DESCRIPTIONS[f].length).toBeGreaterThan(10);
    }
    expect(parseResponseFlags(formatResponseFlags(["UC", "URX"]))).toEqual(["UC", "URX"]);
    expect(responseFlagBits(parseResponseFlags("-"))).toBe(0);
  });
});
