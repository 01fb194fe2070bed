import { describe, expect, it } from "vitest";
import {
  formatResponseFlags, parseResponseFlags, RESPONSE_FLAG_DESCRIPTIONS, RESPONSE_FLAG_ORDER, ResponseFlagBit, responseFlagBits,
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
  it("has every flag the simulator needs, each described, and round-trips", () => {
    for (const f of ["UH", "UF", "UO", "NR", "URX", "NC", "UT", "UC", "UR", "LR", "DC", "DI", "FI", "RL", "UAEX", "DPE", "UPE", "DR", "UDO"] as const) {
      expect(RESPONSE_FLAG_ORDER).toContain(f);
      expect(RESPONSE_FLAG_DESCRIPTIONS[f].length).toBeGreaterThan(10);
    }
    expect(parseResponseFlags(formatResponseFlags(["UC", "URX"]))).toEqual(["UC", "URX"]);
    expect(responseFlagBits(parseResponseFlags("-"))).toBe(0);
  });
});
