// Package license is Pedigree's knowledge of software, data and AI model
// licenses: what a license id means, how restrictive the license is, and
// whether a derivative's license keeps the terms of the license it derives
// from. It is pure: no I/O, no clock; its only dependency is the SPDX
// license list and expression parser of github.com/github/go-spdx.
//
// # Ids
//
// Licenses are named by the lower-case ids the Hugging Face Hub accepts in
// model card metadata ("apache-2.0", "llama3.1", "creativeml-openrail-m"),
// which for the general-purpose licenses are the SPDX ids in lower case.
// [Normalize] maps SPDX spellings ("Apache-2.0", "GPL-3.0-or-later"), common
// aliases ("llama-3", "Llama 3 Community License") and the usual
// license_name values of cards that declare "other" ("tongyi-qianwen",
// "deepseek", "mrl") to those ids. [Lookup] returns what is known about an
// id, [Resolve] applies the Hub card semantics of license, license_name and
// license_link.
//
// # Classes
//
// Every license has one [Class] (see [Classes]):
//
//   - [Permissive]: use, modify and redistribute for any purpose, at most
//     keeping a notice (MIT, Apache-2.0, BSD). Public-domain dedications
//     (CC0, Unlicense, PDDL) are permissive licenses without attribution.
//   - [WeakCopyleft]: modified files, or the licensed component itself, stay
//     under the license; larger works may use other terms (LGPL, MPL-2.0,
//     ODbL).
//   - [Copyleft]: derivatives must be distributed under the same license
//     (GPL, AGPL, CC-BY-SA).
//   - [Restricted] ("open_weight_restricted"): open weights under a bespoke
//     agreement whose terms travel with the model: acceptable-use policies,
//     caps on monthly active users or revenue, naming and attribution
//     duties, field-of-use limits (Llama, Gemma, OpenRAIL, Qwen, DeepSeek,
//     ...). Commercial use is allowed, with conditions.
//   - [NonCommercial]: commercial use is not allowed (CC-BY-NC).
//   - [ResearchOnly]: research or evaluation use only (Qwen Research,
//     Mistral Research, Apple AMLR, DeepFloyd IF, OPT-175B).
//   - [Proprietary]: all rights reserved; no right to redistribute or
//     derive.
//   - [Unknown]: the license is not known ("other" without a recognisable
//     name, "unknown", an id outside the table).
//
// # Obligations
//
// Each license lists its [Obligation]s: [ObligationAttribution], [ObligationShareAlike],
// [ObligationNaming], [ObligationAcceptableUse], [ObligationUserCap], [ObligationFieldOfUse], [ObligationPassOn],
// [ObligationNonCommercial], [ObligationResearchOnly] and [ObligationNoDerivatives]. [Info.Has] tests
// one, [Describe] and [Info.Describe] put one in words for messages.
//
// # Expressions
//
// An id may be an SPDX expression ("Apache-2.0 OR MIT"); [Expression]
// parses it with go-spdx and combines its operands: OR takes the least
// restrictive operand, AND the union of the obligations, WITH the license
// with its exception.
//
// # Conflicts
//
// A model derived from another (fine-tune, adapter, quantization, merge)
// inherits the obligations of its ancestor's license. When the derivative
// declares a license that drops or loosens those obligations, the declaration
// is wrong, whether by mistake or on purpose ("license laundering"): a user
// trusting it would break the ancestor's terms. [Check] reports such a pair
// of ancestor and derivative licenses and the obligations dropped; [Conflict]
// is its short form. A derivative that keeps the same license, a compatible
// one, or a license that keeps every obligation of the ancestor's is not a
// conflict. A license of class [Unknown] on either side is never a conflict:
// what cannot be known is reported separately.
//
// docs/licenses.md lists every known license with its class and obligations
// ([WriteMarkdownTable] renders that table) and explains the reasoning.
package license
