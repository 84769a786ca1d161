//! National clouds and API versions.

/// The Microsoft cloud a tenant lives in. Tokens are not interchangeable between clouds, and the
/// `.default` scope must use the cloud's own Graph host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Cloud {
    /// The global cloud (also GCC moderate tenants).
    #[default]
    Global,
    /// US Government L4 (GCC High).
    UsGov,
    /// US Government L5 (DoD).
    UsGovDod,
    /// China, operated by 21Vianet.
    China,
}

impl Cloud {
    /// The Graph service root, without version (`https://graph.microsoft.com`).
    #[must_use]
    pub fn graph_root(self) -> &'static str {
        match self {
            Self::Global => "https://graph.microsoft.com",
            Self::UsGov => "https://graph.microsoft.us",
            Self::UsGovDod => "https://dod-graph.microsoft.us",
            Self::China => "https://microsoftgraph.chinacloudapi.cn",
        }
    }

    /// The Entra ID authority host that issues tokens for this cloud.
    #[must_use]
    pub fn authority_host(self) -> &'static str {
        match self {
            Self::Global => "https://login.microsoftonline.com",
            Self::UsGov | Self::UsGovDod => "https://login.microsoftonline.us",
            Self::China => "https://login.chinacloudapi.cn",
        }
    }

    /// The client-credentials scope (`{graph root}/.default`).
    #[must_use]
    pub fn default_scope(self) -> String {
        format!("{}/.default", self.graph_root())
    }

    /// Parses a cloud name: `global`/`public`, `usgov`/`gcchigh`, `dod`/`usgovdod`, `china`.
    ///
    /// ```
    /// use intune_apple_core::graph::Cloud;
    /// assert_eq!(Cloud::parse("GCCHigh"), Some(Cloud::UsGov));
    /// assert_eq!(Cloud::parse("mars"), None);
    /// ```
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        match name
            .to_ascii_lowercase()
            .replace(['-', '_', ' '], "")
            .as_str()
        {
            "global" | "public" | "azurepublic" | "commercial" | "gcc" => Some(Self::Global),
            "usgov" | "gcchigh" | "usgovl4" | "azureusgovernment" => Some(Self::UsGov),
            "dod" | "usgovdod" | "usgovl5" => Some(Self::UsGovDod),
            "china" | "azurechina" | "21vianet" => Some(Self::China),
            _ => None,
        }
    }
}

/// The Graph API version of a call. Enrollment program tokens, profiles, imported devices,
/// data-sharing consents, macOS VPP apps and `vppTokenId` exist only in `beta`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApiVersion {
    /// `v1.0`.
    V1,
    /// `beta`.
    Beta,
}

impl ApiVersion {
    /// The path segment (`v1.0` or `beta`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V1 => "v1.0",
            Self::Beta => "beta",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_follow_the_graph_host() {
        assert_eq!(
            Cloud::UsGovDod.default_scope(),
            "https://dod-graph.microsoft.us/.default"
        );
        assert_eq!(
            Cloud::China.authority_host(),
            "https://login.chinacloudapi.cn"
        );
        assert_eq!(Cloud::parse("usgov-dod"), Some(Cloud::UsGovDod));
    }
}
