import { canonicalParams, parseForm } from "./form";

describe("parseForm", () => {
  it("nests bracketed keys the way Stripe reads them", () => {
    expect(parseForm("amount=500&currency=eur&metadata[payoutId]=p1&metadata[note]=a%20b&expand[]=x&expand[]=y")).toEqual({
      amount: "500",
      currency: "eur",
      metadata: { payoutId: "p1", note: "a b" },
      expand: { "0": "x", "1": "y" },
    });
  });

  it("treats an empty body as no params", () => {
    expect(parseForm("")).toEqual({});
  });
});

describe("canonicalParams", () => {
  it("ignores key order, so reordered params are the same request", () => {
    expect(canonicalParams(parseForm("a=1&metadata[x]=1&metadata[y]=2"))).toBe(canonicalParams(parseForm("metadata[y]=2&a=1&metadata[x]=1")));
    expect(canonicalParams(parseForm("a=1"))).not.toBe(canonicalParams(parseForm("a=2")));
  });
});
